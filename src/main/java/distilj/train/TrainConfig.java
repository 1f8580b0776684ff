package distilj.train;

import distilj.optim.AdamW;

/**
 * The hyper-parameters of a fine-tuning run. Defaults are the seed recipe (the Hugging Face text-classification
 * example: distilbert-base-uncased on rotten_tomatoes): lr 2e-5, batch 64, 5 epochs, weight decay 0.01, seed 42,
 * evaluation after each epoch, logging and a checkpoint every 500 steps, gradient clipping at 1.0, linear decay
 * without warm-up, torch's AdamW (β 0.9/0.999, eps 1e-8).
 */
public final class TrainConfig {
    public double learningRate = 2e-5;
    public int batchSize = 64;
    public int evalBatchSize = 64;
    public int epochs = 5;
    public double weightDecay = 0.01;
    public long warmupSteps = 0;
    public double maxGradNorm = 1.0;
    public long seed = 42;
    /** Checkpoint every this many optimiser steps (and at the last step); 0 = only at the last step. */
    public int saveSteps = 500;
    /** Log the mean training loss every this many steps (Trainer's logging_steps). */
    public int loggingSteps = 500;
    /** Stop after this many steps when > 0 (overrides epochs, as the Trainer's max_steps does). */
    public long maxSteps = -1;
    /** Evaluate after each epoch (when an evaluation set is given). */
    public boolean evalEachEpoch = true;
    public AdamW.Variant optimizer = AdamW.Variant.TORCH;
    public double adamBeta1 = 0.9;
    public double adamBeta2 = 0.999;
    public double adamEpsilon = 1e-8;

    public TrainConfig validate() {
        check(learningRate >= 0 && Double.isFinite(learningRate), "--lr must be a finite number >= 0, got " + learningRate);
        check(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
        check(evalBatchSize >= 1, "--eval-batch-size must be >= 1, got " + evalBatchSize);
        check(epochs >= 1 || maxSteps > 0, "--epochs must be >= 1, got " + epochs);
        check(weightDecay >= 0, "--weight-decay must be >= 0, got " + weightDecay);
        check(warmupSteps >= 0, "--warmup-steps must be >= 0, got " + warmupSteps);
        check(maxGradNorm > 0, "--max-grad-norm must be > 0, got " + maxGradNorm);
        check(saveSteps >= 0, "--save-steps must be >= 0, got " + saveSteps);
        check(loggingSteps >= 1, "--logging-steps must be >= 1, got " + loggingSteps);
        return this;
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Optimiser steps of the whole run for a data set of {@code batchesPerEpoch} batches per epoch. */
    public long totalSteps(int batchesPerEpoch) {
        return maxSteps > 0 ? maxSteps : (long) epochs * batchesPerEpoch;
    }

    /** Epochs the run spans (the Trainer's num_train_epochs: ceil(max_steps / steps per epoch) with max_steps). */
    public int epochsFor(int batchesPerEpoch) {
        return maxSteps > 0 ? (int) ((maxSteps + batchesPerEpoch - 1) / batchesPerEpoch) : epochs;
    }
}
