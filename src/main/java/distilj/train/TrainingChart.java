package distilj.train;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG chart of a run, drawn with XChart from the log history: training loss (each log) and validation loss
 * (each evaluation) against the global step on the left axis, validation accuracy on the right axis.
 */
public final class TrainingChart {
    private TrainingChart() {}

    /** Renders the chart of {@code logHistory} to {@code file} (atomically). Does nothing without any point yet. */
    public static void write(Path file, List<Map<String, Object>> logHistory) throws IOException {
        double[][] train = series(logHistory, "loss");
        double[][] valLoss = series(logHistory, "eval_loss");
        double[][] acc = series(logHistory, "eval_accuracy");
        if (train[0].length == 0 && valLoss[0].length == 0) return;
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title("Training")
                .xAxisTitle("step").yAxisTitle("loss").build();
        Styler st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(1, "accuracy");
        // short tick labels even when an axis holds a single point (XChart would print all 17 digits)
        chart.getStyler().putYAxisGroupDecimalPatternMap(0, "0.000");
        chart.getStyler().putYAxisGroupDecimalPatternMap(1, "0.000");
        if (train[0].length > 0) style(chart.addSeries("training loss", train[0], train[1]), new Color(31, 119, 180), 0);
        if (valLoss[0].length > 0)
            style(chart.addSeries("validation loss", valLoss[0], valLoss[1]), new Color(255, 127, 14), 0);
        if (acc[0].length > 0) style(chart.addSeries("validation accuracy", acc[0], acc[1]), new Color(44, 160, 44), 1);
        Checkpoints.writeAtomically(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    private static void style(XYSeries s, Color c, int axis) {
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setYAxisGroup(axis);
    }

    /** (step, value) of every log entry that has {@code key}. */
    private static double[][] series(List<Map<String, Object>> history, String key) {
        double[] xs = new double[history.size()], ys = new double[history.size()];
        int n = 0;
        for (Map<String, Object> e : history) {
            Object v = e.get(key), step = e.get("step");
            if (v instanceof Number nv && step instanceof Number ns) {
                xs[n] = ns.doubleValue();
                ys[n++] = nv.doubleValue();
            }
        }
        return new double[][] {java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n)};
    }
}
