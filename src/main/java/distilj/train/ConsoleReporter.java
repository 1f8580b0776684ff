package distilj.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a person sees while training: on a terminal a progress bar (step/total, epoch, loss, samples/s, ETA), otherwise
 * (a log file, CI) a plain line after the first step and then at most every {@code interval}; after each evaluation a row of the Trainer's table
 * (Epoch, Training Loss, Validation Loss, Accuracy); at the end the TrainOutput summary.
 */
public final class ConsoleReporter implements TrainListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final long intervalNanos;
    private ProgressBar bar;
    private long lastLine;
    private long startStep;
    private long startNanos;
    private boolean headerPrinted;

    /** {@code terminal}: draw a bar (use {@code System.console() != null}); plain lines otherwise. */
    public ConsoleReporter(PrintWriter out, boolean terminal, Duration interval) {
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = interval.toNanos();
    }

    public ConsoleReporter(PrintStream out, boolean terminal, Duration interval) {
        this(new PrintWriter(out, true), terminal, interval);
    }

    public static ConsoleReporter forStdout() {
        return new ConsoleReporter(System.out, System.console() != null, Duration.ofSeconds(30));
    }

    @Override
    public void onStart(long totalSteps, long startStep, int epochs, int stepsPerEpoch) {
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        this.lastLine = startNanos;
        out.printf(Locale.ROOT, "%s: %d steps (%d epochs of %d)%n",
                startStep > 0 ? "resuming at step " + startStep : "training", totalSteps, epochs, stepsPerEpoch);
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .startsFrom(startStep, Duration.ZERO).build();
        }
    }

    @Override
    public void onStep(long step, long totalSteps, double epoch, float loss, double samplesPerSecond) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "epoch %.2f loss %.4f %.1f samples/s", epoch, loss,
                    samplesPerSecond));
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine < intervalNanos && step != totalSteps && step != startStep + 1) return;
        lastLine = now;
        double secs = (now - startNanos) / 1e9;
        long done = step - startStep;
        String eta = done > 0 ? format(Duration.ofMillis((long) (secs / done * (totalSteps - step) * 1000))) : "?";
        out.printf(Locale.ROOT, "step %d/%d (%.1f%%) | epoch %.2f | loss %.4f | %.1f samples/s | ETA %s%n", step,
                totalSteps, 100.0 * step / totalSteps, epoch, loss, samplesPerSecond, eta);
    }

    @Override
    public void onLog(Map<String, Object> entry) {
        if (bar != null) return; // the bar shows the loss; the log goes to metrics.jsonl
        out.printf(Locale.ROOT, "log: step %s loss %.4f lr %.3g grad_norm %.4f%n", entry.get("step"),
                (Double) entry.get("loss"), (Double) entry.get("learning_rate"), (Double) entry.get("grad_norm"));
    }

    @Override
    public void onEpochRow(int epoch, Double trainingLoss, double validationLoss, double accuracy) {
        StringBuilder sb = new StringBuilder();
        if (!headerPrinted) {
            sb.append(String.format(Locale.ROOT, "%-6s %-14s %-16s %s%n", "Epoch", "Training Loss",
                    "Validation Loss", "Accuracy"));
            headerPrinted = true;
        }
        sb.append(String.format(Locale.ROOT, "%-6d %-14s %-16.6f %.6f", epoch,
                trainingLoss == null ? "No log" : String.format(Locale.ROOT, "%.6f", trainingLoss), validationLoss,
                accuracy));
        println(sb.toString());
    }

    @Override
    public void onCheckpoint(Path dir) {
        if (bar == null) out.println("saved " + dir);
    }

    @Override
    public void onEnd(TrainResult r) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.printf(Locale.ROOT, "TrainOutput(global_step=%d, training_loss=%.6f, metrics={'train_runtime': %.4f, "
                        + "'train_samples_per_second': %.3f, 'train_steps_per_second': %.3f, 'epoch': %s})%n",
                r.globalStep(), r.trainingLoss(), r.trainRuntime(), r.trainSamplesPerSecond(), r.trainStepsPerSecond(),
                Double.toString(r.epoch()));
    }

    /** A line that does not get tangled with the bar (which redraws itself on its next tick). */
    private void println(String s) {
        if (bar != null) System.err.print("\r\033[K");
        out.println(s);
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
