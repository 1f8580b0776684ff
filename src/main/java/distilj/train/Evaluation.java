package distilj.train;

import distilj.model.SequenceClassifier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Trainer's evaluation loop, shared by {@link Trainer} (after each epoch) and {@code distilj eval}: every batch of
 * an evaluation source through the model without dropout, then
 * <pre>
 *   loss     = Σ_b rows_b · meanCE_b / Σ_b rows_b      (the mean over rows, as the Trainer gathers per-batch losses)
 *   accuracy = #{r : argmax_c logits[r, c] = label_r} / rows
 * </pre>
 * The argmax takes the first of equal logits (numpy's, which evaluate's compute_metrics uses).
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** Loss, accuracy, the rows and batches seen, and the wall time in seconds. */
    public record Result(double loss, double accuracy, long rows, int batches, double seconds) {
        public double samplesPerSecond() {
            return seconds > 0 ? rows / seconds : 0;
        }

        public double stepsPerSecond() {
            return seconds > 0 ? batches / seconds : 0;
        }

        /** The Trainer's eval metrics, keys and rounding as transformers logs them (runtime 4 decimals, rates 3). */
        public Map<String, Object> metrics() {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("eval_loss", loss);
            e.put("eval_accuracy", accuracy);
            e.put("eval_runtime", round4(seconds));
            e.put("eval_samples_per_second", round3(samplesPerSecond()));
            e.put("eval_steps_per_second", round3(stepsPerSecond()));
            return e;
        }
    }

    /** Runs every batch of {@code data} (epoch 0, the data set's order) through {@code model}. */
    public static Result run(SequenceClassifier model, BatchSource data) {
        if (data.size() == 0) throw new IllegalArgumentException("the evaluation set is empty");
        int classes = model.config().numLabels;
        long t0 = System.nanoTime();
        double lossSum = 0;
        long correct = 0, n = 0;
        int batches = data.batchesPerEpoch();
        for (int b = 0; b < batches; b++) {
            Batch batch = data.batch(0, b);
            float loss = model.forward(batch.ids, batch.offsets, batch.rows, batch.labels, false, 0);
            float[] logits = model.logits();
            for (int r = 0; r < batch.rows; r++) if (argmax(logits, r * classes, classes) == batch.labels[r]) correct++;
            lossSum += (double) loss * batch.rows;
            n += batch.rows;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(lossSum / n, (double) correct / n, n, batches, seconds);
    }

    /** The index of the largest of {@code x[off .. off+n)}, the first one on ties. */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) if (x[off + c] > x[off + best]) best = c;
        return best;
    }

    static double round4(double x) {
        return Math.round(x * 1e4) / 1e4;
    }

    static double round3(double x) {
        return Math.round(x * 1e3) / 1e3;
    }
}
