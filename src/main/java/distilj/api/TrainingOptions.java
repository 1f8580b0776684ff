package distilj.api;

import distilj.data.Dataset;
import distilj.train.TrainConfig;
import distilj.train.TrainListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Training#run} needs: the model folder to start from, the data, the output folder and the
 * hyper-parameters (a {@link TrainConfig}; {@link #defaults()} is the Hugging Face recipe {@code distilj train} uses:
 * lr 2e-5, batch 64, 5 epochs, weight decay 0.01, seed 42). Fluent setters for the usual ones, {@link #config()} for
 * the rest.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.defaults()
 *         .model(Path.of("weights/all-MiniLM-L6-v2"))
 *         .epochs(1)
 *         .output(Path.of("runs/minilm"));
 * o.config().warmupSteps = 100;
 * }</pre>
 */
public final class TrainingOptions {
    Path model = Path.of("weights/distilbert-base-uncased");
    boolean fromScratch;
    Path output = Path.of("runs/distilbert-rotten_tomatoes");
    Dataset train;
    Dataset eval;
    boolean dataSet;
    Path resumeFrom;
    PrintWriter progress;
    final List<TrainListener> listeners = new ArrayList<>();
    private TrainConfig config = new TrainConfig();

    private TrainingOptions() {
    }

    /** The seed recipe: rotten_tomatoes (train split; evaluation on test after each epoch), TrainConfig's defaults. */
    public static TrainingOptions defaults() {
        return new TrainingOptions();
    }

    /** The model folder to fine-tune (config.json, vocab.txt, model.safetensors). */
    public TrainingOptions model(Path folder) {
        this.model = Objects.requireNonNull(folder);
        return this;
    }

    /** Take only config.json and the tokenizer from the model folder; every weight newly initialised. */
    public TrainingOptions fromScratch(boolean yes) {
        this.fromScratch = yes;
        return this;
    }

    /** Where checkpoints, metrics and the final model go. */
    public TrainingOptions output(Path folder) {
        this.output = Objects.requireNonNull(folder);
        return this;
    }

    /**
     * The training data and the evaluation data ({@code null}: no evaluation). Evaluation labels are ids of the
     * training set's label names (read evaluation files with the training set's names).
     */
    public TrainingOptions data(Dataset train, Dataset eval) {
        this.train = Objects.requireNonNull(train);
        this.eval = eval;
        this.dataSet = true;
        return this;
    }

    public TrainingOptions epochs(int epochs) {
        config.epochs = epochs;
        return this;
    }

    /** Stop after this many optimiser steps (overrides the epochs; the schedule decays over these steps). */
    public TrainingOptions maxSteps(long steps) {
        config.maxSteps = steps;
        return this;
    }

    public TrainingOptions learningRate(double lr) {
        config.learningRate = lr;
        return this;
    }

    public TrainingOptions batchSize(int rows) {
        config.batchSize = rows;
        return this;
    }

    public TrainingOptions seed(long seed) {
        config.seed = seed;
        return this;
    }

    /** Continue from a checkpoint-N folder of an earlier run with the same settings (bit-identical result). */
    public TrainingOptions resumeFrom(Path checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /** Print what {@code distilj train} prints (data, load report, progress, the epoch table) here; default: silent. */
    public TrainingOptions progress(PrintWriter out) {
        this.progress = out;
        return this;
    }

    /** Also report steps, logs, evaluations and checkpoints to {@code listener}. */
    public TrainingOptions listener(TrainListener listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Replaces every hyper-parameter at once. */
    public TrainingOptions config(TrainConfig config) {
        this.config = Objects.requireNonNull(config);
        return this;
    }

    /** Every hyper-parameter (mutable: set fields directly). */
    public TrainConfig config() {
        return config;
    }
}
