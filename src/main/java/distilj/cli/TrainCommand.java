package distilj.cli;

import distilj.optim.AdamW;
import distilj.train.Checkpoints;
import distilj.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distilj train}: fine-tune a DistilBERT or BERT classifier, the Hugging Face text-classification recipe by
 * default (distilbert-base-uncased on rotten_tomatoes, lr 2e-5, batch 64, 5 epochs, weight decay 0.01, evaluation on
 * the test split after each epoch, seed 42, a checkpoint every 500 steps).
 *
 * <p>This class parses and checks the flags ({@link #trainConfig()}, {@link #resumeCheckpoint()}); {@link #call()}
 * connects model, data and checkpoints (see the comment there).
 */
@Command(name = "train",
        description = {"Fine-tune a text classifier (defaults: the Hugging Face recipe, distilbert-base-uncased on "
                + "rotten_tomatoes).",
                "Writes into --output: checkpoint-N/ folders, metrics.jsonl, trainer_state.json, training_curves.png "
                        + "and, at the end, the model (config.json, model.safetensors, tokenizer files)."},
        mixinStandardHelpOptions = true, sortOptions = false)
public final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", defaultValue = "weights/distilbert-base-uncased",
            description = "DistilBERT or BERT model folder (config.json, model.safetensors, vocab.txt). Default: ${DEFAULT-VALUE}.")
    Path model;

    @Option(names = "--from-scratch", description = "Initialise every weight from the model folder's config.json "
            + "alone (no pretrained weights).")
    boolean fromScratch;

    @Option(names = "--dataset", paramLabel = "NAME|FILE", defaultValue = "rotten_tomatoes",
            description = "rotten_tomatoes (built in) or a training file (.csv, .tsv, .jsonl with text and label). "
                    + "Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--eval", paramLabel = "SPLIT|FILE", defaultValue = "test",
            description = "Evaluation data: a split of the built-in dataset (test, validation) or a file; 'none' to "
                    + "skip. Default: ${DEFAULT-VALUE}.")
    String eval;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "runs/distilbert-rotten_tomatoes",
            description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "",
            description = "Continue a run: from CHECKPOINT, or without a value from the latest checkpoint-N in --output. "
                    + "The result is bit-identical to an uninterrupted run.")
    String resume;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "2e-5", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64", description = "Training batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--eval-batch-size", paramLabel = "N", defaultValue = "64", description = "Evaluation batch size. Default: ${DEFAULT-VALUE}.")
    int evalBatchSize;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "5", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "-1",
            description = "Stop after N optimiser steps (overrides --epochs; the schedule decays over N steps).")
    long maxSteps;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01",
            description = "AdamW weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--warmup-steps", paramLabel = "N", defaultValue = "0", description = "Linear warm-up steps. Default: ${DEFAULT-VALUE}.")
    long warmupSteps;

    @Option(names = "--max-grad-norm", paramLabel = "X", defaultValue = "1.0", description = "Gradient clipping norm. Default: ${DEFAULT-VALUE}.")
    double maxGradNorm;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adamw_torch",
            description = "adamw_torch (torch.optim.AdamW, the Trainer's) or adamw_legacy (transformers 4.x AdamW). "
                    + "Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of data order, dropout and new weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--save-steps", paramLabel = "N", defaultValue = "500",
            description = "Checkpoint every N steps (and at the end); 0: only at the end. Default: ${DEFAULT-VALUE}.")
    int saveSteps;

    @Option(names = "--logging-steps", paramLabel = "N", defaultValue = "500",
            description = "Log the mean training loss every N steps. Default: ${DEFAULT-VALUE}.")
    int loggingSteps;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "Worker threads (0: all cores).")
    int threads;

    /** The hyper-parameters the flags say, checked (a bad value is a usage error). */
    TrainConfig trainConfig() {
        TrainConfig c = new TrainConfig();
        c.learningRate = lr;
        c.batchSize = batchSize;
        c.evalBatchSize = evalBatchSize;
        c.epochs = epochs;
        c.maxSteps = maxSteps;
        c.weightDecay = weightDecay;
        c.warmupSteps = warmupSteps;
        c.maxGradNorm = maxGradNorm;
        c.seed = seed;
        c.saveSteps = saveSteps;
        c.loggingSteps = loggingSteps;
        c.optimizer = switch (optimizer) {
            case "adamw_torch", "adamw_torch_fused" -> AdamW.Variant.TORCH;
            case "adamw_legacy", "adamw_hf" -> AdamW.Variant.LEGACY;
            default -> throw new Cli.UsageException("--optimizer must be adamw_torch or adamw_legacy, not '" + optimizer + "'");
        };
        if (threads < 0) throw new Cli.UsageException("--threads must be >= 0, got " + threads);
        if (maxSteps == 0 || maxSteps < -1) throw new Cli.UsageException("--max-steps must be >= 1, got " + maxSteps);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException(e.getMessage());
        }
    }

    /** The checkpoint to resume from: null without --resume; the latest in --output for a bare --resume. */
    Path resumeCheckpoint() {
        if (resume == null) return null;
        if (resume.isEmpty()) {
            return Checkpoints.latest(output).orElseThrow(() -> new IllegalArgumentException(
                    "--resume: no complete checkpoint-N folder in " + output + " (start without --resume)"));
        }
        Path p = Path.of(resume);
        if (!Files.isRegularFile(p.resolve(Checkpoints.STATE_FILE)))
            throw new IllegalArgumentException("--resume: " + p + " is not a complete checkpoint folder (no "
                    + Checkpoints.STATE_FILE + ")");
        return p;
    }

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = trainConfig();
        Path resumeFrom = resumeCheckpoint();
        if (threads > 0) distilj.kernels.Parallel.setDefaultThreads(threads);
        // Wiring (needs distilj.checkpoint, distilj.data and the model; see the report of the train branch):
        //  1. ModelConfig mc = HfConfig.read(model); labels from the dataset; SequenceClassifier m =
        //     Models.create(mc, Kernels.get(), seed); unless fromScratch: print CheckpointLoader.load(model, m.params()).
        //  2. tokenizer = BertTokenizer.load(model); train/eval Dataset → EncodedDataset.encode → distilj.data.Batcher
        //     (shuffle with seed for train, in order for eval) → BatchSource adapters.
        //  3. new Trainer(m, cfg, train, eval, output, weightStore).addListener(ConsoleReporter.forStdout())
        //     .train(resumeFrom), weightStore = ModelExport.save(dir, mc, m.params(), model) / CheckpointLoader.load.
        throw new IllegalStateException("train is not wired to the model yet (cfg " + cfg.batchSize + ", resume "
                + resumeFrom + ")");
    }
}
