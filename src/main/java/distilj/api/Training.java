package distilj.api;

import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.checkpoint.ModelExport;
import distilj.data.Batcher;
import distilj.data.Dataset;
import distilj.data.EncodedDataset;
import distilj.data.RottenTomatoes;
import distilj.kernels.Kernels;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import distilj.train.BatchSource;
import distilj.train.ConsoleReporter;
import distilj.train.TrainListener;
import distilj.train.TrainResult;
import distilj.train.Trainer;
import distilj.train.WeightStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fine-tunes a text classifier: what {@code distilj train} does, from Java.
 *
 * <pre>{@code
 * TrainResult r = Training.run(TrainingOptions.defaults()
 *         .model(Path.of("weights/all-MiniLM-L6-v2")).epochs(1).output(Path.of("runs/minilm")));
 * try (TextClassifier clf = TextClassifier.load(Path.of("runs/minilm"))) { ... }
 * }</pre>
 *
 * <p>The model folder gives the config, the pretrained weights and the tokenizer; the data are encoded once and
 * batched by {@link Batcher}; the loop is {@link Trainer}'s; checkpoints and the final model are Hugging Face model
 * folders written by {@link ModelExport} into the output folder. One run at a time per JVM is the sensible use (the
 * kernels share one thread pool).
 */
public final class Training {
    private Training() {
    }

    /** Runs the training and returns the Trainer's summary; the model is in {@code options.output} after. */
    public static TrainResult run(TrainingOptions o) throws IOException {
        o.config().validate();
        Path modelDir = o.model;
        PrintWriter out = o.progress;

        // Data: the tokenizer of the model folder, the whole set encoded once, cut to the model's positions.
        ModelConfig mc = HfConfig.read(modelDir);
        BertTokenizer tokenizer = BertTokenizer.load(modelDir);
        Dataset trainSet = o.dataSet ? o.train : RottenTomatoes.load().train();
        Dataset evalSet = o.dataSet ? o.eval : RottenTomatoes.load().test();
        EncodedDataset trainEnc = EncodedDataset.encode(trainSet, tokenizer, mc.maxPositions);
        BatchSource train = source(new Batcher(trainEnc, o.config().batchSize, true, o.config().seed), trainEnc.rows());
        BatchSource evalSource = null;
        if (evalSet != null) {
            EncodedDataset evalEnc = EncodedDataset.encode(evalSet, tokenizer, mc.maxPositions);
            evalSource = source(new Batcher(evalEnc, o.config().evalBatchSize, false, 0), evalEnc.rows());
        }
        if (out != null) {
            out.printf("data: %s (%d rows), evaluation: %s%n", trainSet.name(), trainSet.size(),
                    evalSet == null ? "none" : evalSet.name() + " (" + evalSet.size() + " rows)");
        }

        // Model: config.json of the folder with the dataset's labels; pretrained weights unless fromScratch.
        mc.numLabels = trainSet.labelNames().size();
        mc.labels = trainSet.labelNames().toArray(new String[0]);
        mc.validate();
        SequenceClassifier model = Models.create(mc, Kernels.get(), o.config().seed);
        if (o.fromScratch) {
            if (out != null) out.println("model: " + modelDir + " config only (--from-scratch): every weight newly initialised");
        } else if (o.resumeFrom == null) {
            LoadReport report = CheckpointLoader.load(modelDir, model.params());
            if (out != null) {
                out.print(report.format(mc.arch == ModelConfig.Arch.BERT ? "BertForSequenceClassification"
                        : "DistilBertForSequenceClassification"));
            }
        }
        if (out != null) out.flush();

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
        Trainer trainer = new Trainer(model, o.config(), train, evalSource, o.output, store);
        if (out != null) trainer.addListener(new ConsoleReporter(out, System.console() != null, Duration.ofSeconds(30)));
        for (TrainListener l : o.listeners) trainer.addListener(l);
        return trainer.train(o.resumeFrom);
    }

    /** distilj.data's batcher seen as the trainer's BatchSource (the permutation computed once per epoch). */
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
                if (e != epoch) {
                    order = b.order(e);
                    epoch = e;
                }
                distilj.data.Batch x = b.batch(order, index);
                return new distilj.train.Batch(x.ids, x.offsets, x.rows, x.labels);
            }
        };
    }
}
