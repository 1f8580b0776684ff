package distilj.train;

import java.nio.file.Path;
import java.util.Map;

/** What a running {@link Trainer} reports: progress, logs, evaluations, checkpoints and the end. All optional. */
public interface TrainListener {
    /** Before the first step; {@code startStep} > 0 when resuming. */
    default void onStart(long totalSteps, long startStep, int epochs, int stepsPerEpoch) {}

    /** After each optimiser step. {@code samplesPerSecond} is measured over this session. */
    default void onStep(long step, long totalSteps, double epoch, float loss, double samplesPerSecond) {}

    /** A training log entry (loss, grad_norm, learning_rate, epoch, step), as appended to log_history. */
    default void onLog(Map<String, Object> entry) {}

    /** An evaluation: one row of the Trainer's table. {@code trainingLoss} is null before the first log ("No log"). */
    default void onEpochRow(int epoch, Double trainingLoss, double validationLoss, double accuracy) {}

    /** A checkpoint folder was written (atomically). */
    default void onCheckpoint(Path dir) {}

    /** The run finished. */
    default void onEnd(TrainResult result) {}
}
