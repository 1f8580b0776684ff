package distilj.cli;

import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.checkpoint.ModelExport;
import distilj.data.Batcher;
import distilj.data.Dataset;
import distilj.data.EncodedDataset;
import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.SequenceClassifier;
import distilj.optim.AdamW;
import distilj.tokenizer.BertTokenizer;
import distilj.train.BatchSource;
import distilj.train.Checkpoints;
import distilj.train.ConsoleReporter;
import distilj.train.TrainConfig;
import distilj.train.Trainer;
import distilj.train.WeightStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>The flags become a {@link TrainConfig}; the model folder gives the config, the pretrained weights and the
 * tokenizer; the data set is encoded once and batched by {@link Batcher}; checkpoints and the final model are
 * Hugging Face model folders written by {@link ModelExport}.
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
        if (threads > 0) Parallel.setDefaultThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        Path modelDir = ensureModel(out);

        // Data: the tokenizer of the model folder, the whole set encoded once.
        BertTokenizer tokenizer = BertTokenizer.load(modelDir);
        DatasetOptions.Loaded loaded = data.load();
        Dataset trainSet = loaded.train();
        Dataset evalSet = loaded.eval();
        EncodedDataset trainEnc = EncodedDataset.encode(trainSet, tokenizer);
        BatchSource train = source(new Batcher(trainEnc, cfg.batchSize, true, cfg.seed), trainEnc.rows());
        BatchSource evalSource = null;
        if (evalSet != null) {
            EncodedDataset evalEnc = EncodedDataset.encode(evalSet, tokenizer);
            evalSource = source(new Batcher(evalEnc, cfg.evalBatchSize, false, 0), evalEnc.rows());
        }
        out.printf("data: %s (%d rows), evaluation: %s%n", trainSet.name(), trainSet.size(),
                evalSet == null ? "none" : evalSet.name() + " (" + evalSet.size() + " rows)");

        // Model: config.json of the folder with the dataset's labels; pretrained weights unless --from-scratch.
        ModelConfig mc = HfConfig.read(modelDir);
        mc.numLabels = trainSet.labelNames().size();
        mc.labels = trainSet.labelNames().toArray(new String[0]);
        mc.validate();
        SequenceClassifier model = Models.create(mc, Kernels.get(), cfg.seed);
        if (fromScratch) {
            out.println("model: " + modelDir + " config only (--from-scratch): every weight newly initialised");
        } else if (resumeFrom == null) {
            LoadReport report = CheckpointLoader.load(modelDir, model.params());
            out.print(report.format(mc.arch == ModelConfig.Arch.BERT ? "BertForSequenceClassification"
                    : "DistilBertForSequenceClassification"));
        }
        out.flush();

        // Checkpoints and the final model are Hugging Face model folders (config.json, model.safetensors, tokenizer).
        WeightStore store = new WeightStore() {
            @Override
            public void save(SequenceClassifier m, Path dir) throws IOException {
                ModelExport.save(dir, mc, m.params(), modelDir);
            }

            @Override
            public void load(SequenceClassifier m, Path dir) throws IOException {
                LoadReport r = CheckpointLoader.load(dir, m.params());
                if (!r.newlyInitialized.isEmpty())
                    throw new IOException(dir + ": checkpoint lacks " + r.newlyInitialized);
            }
        };
        Trainer trainer = new Trainer(model, cfg, train, evalSource, output, store);
        trainer.addListener(new ConsoleReporter(out, System.console() != null, Duration.ofSeconds(30)));
        trainer.train(resumeFrom);
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

    /** distilj.data's batcher seen as the trainer's BatchSource. */
    static BatchSource source(Batcher b, int rows) {
        return new BatchSource() {
            private int epoch = -1;
            private int[] order;

            @Override
            public int size() {
                return rows;
            }

            @Override
            public int batchSize() {
                return b.batchSize();
            }

            @Override
            public distilj.train.Batch batch(int e, int index) {
                if (e != epoch) { // the permutation once per epoch
                    order = b.order(e);
                    epoch = e;
                }
                distilj.data.Batch x = b.batch(order, index);
                return new distilj.train.Batch(x.ids, x.offsets, x.rows, x.labels);
            }
        };
    }
}
