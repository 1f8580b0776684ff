package distilj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.checkpoint.HfConfig;
import distilj.data.Batch;
import distilj.data.Batcher;
import distilj.data.Dataset;
import distilj.data.EncodedDataset;
import distilj.data.RottenTomatoes;
import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.model.LargestBatch;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.Param;
import distilj.model.Profile;
import distilj.model.SequenceClassifier;
import distilj.optim.AdamW;
import distilj.optim.GradClip;
import distilj.optim.LinearSchedule;
import distilj.tokenizer.BertTokenizer;
import distilj.tokenizer.Vocab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The distilj side of the training-step benchmark (benchmarks/train-vs-pytorch.sh): one optimiser step of the seed
 * recipe at DistilBERT-base size — forward, loss, backward, clipping, AdamW, schedule — on rotten_tomatoes batches of
 * 64, then evaluation of the 1,066 test rows. Random weights (the real sizes; no download needed).
 *
 * <p>Writes the batches it used (row indices into train ++ test, and the texts) to {@code --batches-out}, so that the
 * PyTorch side runs the very same rows. Prints one JSON object on stdout.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp … distilj.bench.TrainStepBench --config DIR --threads 2
 *      [--warmup 2] [--steps 8] [--batches-out FILE] [--no-eval]</pre>
 *
 * <p>With {@code -Ddistilj.profile=true} it also prints, on stderr, the time per part of the step ({@link Profile}).
 */
public final class TrainStepBench {
    public static void main(String[] args) throws Exception {
        Path configDir = null, batchesOut = null;
        int threads = Runtime.getRuntime().availableProcessors(), warmup = 2, steps = 8;
        boolean eval = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config": configDir = Path.of(args[++i]); break;
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--steps": steps = Integer.parseInt(args[++i]); break;
                case "--batches-out": batchesOut = Path.of(args[++i]); break;
                case "--no-eval": eval = false; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (configDir == null) throw new IllegalArgumentException("--config DIR (config.json + vocab.txt) is required");

        Parallel.setDefaultThreads(threads);
        Kernels k = Kernels.get();
        ModelConfig cfg = HfConfig.read(configDir);
        cfg.numLabels = 2;
        cfg.labels = new String[] {"neg", "pos"};
        cfg.validate();
        BertTokenizer tok = BertTokenizer.uncased(Vocab.load(configDir.resolve("vocab.txt")));
        RottenTomatoes.Splits splits = RottenTomatoes.load();
        EncodedDataset train = EncodedDataset.encode(splits.train(), tok);
        EncodedDataset test = EncodedDataset.encode(splits.test(), tok);

        SequenceClassifier model = Models.create(cfg, k, 42);
        List<Param> params = model.params();
        AdamW opt = new AdamW(params, 0.01);
        LinearSchedule schedule = new LinearSchedule(2e-5, 0, 670);
        Batcher batcher = new Batcher(train, 64, true, 42);
        int[] order = batcher.order(0);

        int total = warmup + steps;
        // As the Trainer does: size the activation buffers once for the largest batch of the run (these steps and
        // the evaluation), so that none is reallocated midway.
        LargestBatch largest = new LargestBatch(cfg.heads);
        Batcher evalBatcher = new Batcher(test, 64, false, 0);
        int[] evalOrder = evalBatcher.order(0);
        for (int s = 0; s < total + evalBatcher.batchesPerEpoch(); s++) {
            Batch b = s < total ? batcher.batch(order, s % batcher.batchesPerEpoch())
                    : evalBatcher.batch(evalOrder, s - total);
            largest.add(b.offsets, b.rows);
        }
        largest.reserveIn(model, true);
        double[] seconds = new double[steps];
        int[] tokens = new int[steps], longest = new int[steps], rows = new int[steps];
        List<int[]> used = new ArrayList<>();
        for (int s = 0; s < total; s++) {
            Batch b = batcher.batch(order, s % batcher.batchesPerEpoch());
            used.add(b.rowIndex);
            if (s == warmup) Profile.reset(); // the profile covers the measured steps only
            long t0 = System.nanoTime();
            // As the Trainer does it: gradients start at zero (the previous optimiser step zeroed them), the norm
            // is computed, and clipping, the update and the zeroing happen in one pass (AdamW.step with a scale).
            float loss = model.forward(b.ids, b.offsets, b.rows, b.labels, true, s);
            model.backward();
            long p0 = Profile.start();
            float norm = GradClip.norm(params);
            Profile.add(Profile.Part.CLIP, false, p0);
            p0 = Profile.start();
            opt.step(schedule.lr(s), GradClip.coefficient(norm, 1f), true);
            Profile.add(Profile.Part.ADAMW, false, p0);
            double dt = (System.nanoTime() - t0) / 1e9;
            if (s >= warmup) {
                seconds[s - warmup] = dt;
                tokens[s - warmup] = b.tokens();
                longest[s - warmup] = b.longest();
                rows[s - warmup] = b.rows;
            }
            System.err.printf("distilj step %d/%d: %.3f s loss %.4f (%d tokens)%n", s + 1, total, dt, loss, b.tokens());
        }

        if (Profile.ON) System.err.print(Profile.table(steps));

        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("side", "distilj");
        out.put("threads", threads);
        out.put("kernels", k.name());
        out.put("java", Runtime.version().toString());
        out.put("batch_size", 64);
        ArrayNode st = out.putArray("step_seconds");
        for (double d : seconds) st.add(d);
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        out.put("step_median", sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);
        ArrayNode rt = out.putArray("real_tokens");
        ArrayNode pt = out.putArray("padded_tokens");
        ArrayNode rw = out.putArray("rows_per_step");
        for (int i = 0; i < steps; i++) {
            rt.add(tokens[i]);
            pt.add((long) longest[i] * rows[i]);
            rw.add(rows[i]);
        }

        if (eval) {
            List<Batch> evalBatches = new ArrayList<>();
            for (int i = 0; i < evalBatcher.batchesPerEpoch(); i++) evalBatches.add(evalBatcher.batch(evalOrder, i));
            Batch first = evalBatches.get(0); // one warm-up batch, as on the PyTorch side
            model.forward(first.ids, first.offsets, first.rows, null, false, 0);
            long t0 = System.nanoTime();
            for (Batch b : evalBatches) model.forward(b.ids, b.offsets, b.rows, null, false, 0);
            out.put("eval_seconds", (System.nanoTime() - t0) / 1e9);
            out.put("eval_rows", test.rows());
        }
        out.put("peak_rss_bytes", peakRss());
        System.out.println(json.writeValueAsString(out));

        if (batchesOut != null) writeBatches(json, batchesOut, splits, used);
    }

    /** VmHWM of /proc/self/status: the peak resident set of this process. */
    static long peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return -1;
    }

    /** {texts: [{text,label}…] (train then test), train_batches: [[row…]…], test_rows: [row…]}. */
    static void writeBatches(ObjectMapper json, Path file, RottenTomatoes.Splits splits, List<int[]> used)
            throws Exception {
        ObjectNode o = json.createObjectNode();
        ArrayNode texts = o.putArray("texts");
        Dataset tr = splits.train(), te = splits.test();
        for (int i = 0; i < tr.size(); i++) texts.addObject().put("text", tr.get(i).text()).put("label", tr.get(i).label());
        for (int i = 0; i < te.size(); i++) texts.addObject().put("text", te.get(i).text()).put("label", te.get(i).label());
        ArrayNode tb = o.putArray("train_batches");
        for (int[] rows : used) {
            ArrayNode a = tb.addArray();
            for (int r : rows) a.add(r);
        }
        ArrayNode test = o.putArray("test_rows");
        for (int i = 0; i < te.size(); i++) test.add(tr.size() + i);
        Files.createDirectories(file.toAbsolutePath().getParent());
        json.writeValue(file.toFile(), o);
    }
}
