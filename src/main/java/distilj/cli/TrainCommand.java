package distilj.cli;

import distilj.api.Training;
import distilj.api.TrainingOptions;
import distilj.checkpoint.ModelExport;
import distilj.data.Batcher;
import distilj.optim.AdamW;
import distilj.train.Checkpoints;
import distilj.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distilj train}: fine-tune a DistilBERT or BERT classifier, the Hugging Face text-classification recipe by
 * default (distilbert-base-uncased on rotten_tomatoes, lr 2e-5, batch 64, 5 epochs, weight decay 0.01, evaluation on
 * the test split after each epoch, seed 42, a checkpoint every 500 steps).
 *
 * <p>The flags become a {@link TrainConfig} and {@link TrainingOptions}; {@link Training#run} does the rest (the model
 * folder gives the config, the pretrained weights and the tokenizer; the data set is encoded once and batched by
 * {@link Batcher}; checkpoints and the final model are Hugging Face model folders written by {@link ModelExport}).
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

    @Mixin DatasetOptions data;

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

    @Mixin ThreadsOption threads;

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
        threads.apply();
        PrintWriter out = spec.commandLine().getOut();
        Path modelDir = ensureModel(out);

        DatasetOptions.Loaded loaded = data.load();
        Training.run(TrainingOptions.defaults().config(cfg).model(modelDir).fromScratch(fromScratch)
                .data(loaded.train(), loaded.eval()).output(output).resumeFrom(resumeFrom).progress(out));
        out.println("model saved to " + output);
        return 0;
    }

    /** The model folder; the default one is downloaded when missing (needs the Hugging Face hub). */
    private Path ensureModel(PrintWriter out) throws Exception {
        if (Files.isRegularFile(model.resolve("config.json"))
                && (fromScratch || resume != null || Files.isRegularFile(model.resolve("model.safetensors"))
                        || Files.isRegularFile(model.resolve("model.safetensors.index.json")))) {
            return model;
        }
        boolean explicit = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--model");
        if (explicit) throw new IllegalArgumentException("--model " + model + ": no config.json and model.safetensors there");
        out.println(model + " is missing: downloading distilbert-base-uncased");
        out.flush();
        // Through the CLI's own handlers, so a failure is one line (no stack trace); its message is reused below.
        java.io.StringWriter downloadErr = new java.io.StringWriter();
        CommandLine cl = Cli.commandLine();
        cl.setOut(out);
        cl.setErr(new PrintWriter(downloadErr, true));
        int rc = cl.execute("download", "distilbert-base-uncased", "--output", model.toString());
        if (rc != 0) {
            String why = downloadErr.toString().lines().findFirst().orElse("").replaceFirst("^error: ", "");
            throw new IllegalArgumentException("no model at " + model + " and the download failed: " + why
                    + " (or pass --model DIR, e.g. --model weights/all-MiniLM-L6-v2)");
        }
        return model;
    }
}
