package distilj.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.kernels.DropoutRng;
import distilj.model.LargestBatch;
import distilj.model.Param;
import distilj.model.SequenceClassifier;
import distilj.optim.AdamW;
import distilj.optim.GradClip;
import distilj.optim.LinearSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of the Hugging Face Trainer for a sequence classifier, on one CPU:
 * <pre>
 *   for each epoch e, for each batch b of e's shuffled order (last partial batch kept):
 *     loss = forward(batch, labels, training, dropoutSeed(seed, step)); backward      (grads start at zero)
 *     norm = global gradient norm; lr = schedule(step)
 *     AdamW step on g·min(1, max_grad_norm/(norm + 1e-6)), zeroing g as it goes; step++
 *     every logging_steps: log the mean loss since the last log          (log_history, metrics.jsonl)
 *     at the end of an epoch (or of the run): evaluate                   (loss, accuracy; the epoch table)
 *     every save_steps and at the last step: checkpoint-N/               (written atomically)
 * </pre>
 * in the Trainer's order (log, then evaluate, then save). Everything random is a pure function of (seed, position):
 * the data order of (seed, epoch), the dropout masks of (seed, step). A checkpoint therefore holds all the state there
 * is: weights, AdamW moments and step, the position (epoch, batch), the loss sums and the log history. Resuming from
 * it gives bit-identical weights to a run that was never interrupted.
 *
 * <p>A NaN or infinite loss or gradient norm stops the run with {@link TrainingDivergedException} before it touches
 * the weights; the checkpoints already written stay as they were.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String SCHEDULER_FILE = "scheduler.json";
    public static final String RNG_FILE = "rng_state.json";
    public static final String ARGS_FILE = "training_args.json";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String CHART_FILE = "training_curves.png";

    private final SequenceClassifier model;
    private final TrainConfig cfg;
    private final BatchSource train;
    private final BatchSource eval;
    private final Path outputDir;
    private final WeightStore weights;
    private final List<TrainListener> listeners = new ArrayList<>();
    private final List<Param> params;
    private final AdamW optimizer;
    private final LinearSchedule schedule;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private final int numEpochs;

    // ---- the run's state (all of it goes into a checkpoint)
    private long globalStep;
    /** Sum of the losses since the last log, and how many steps that is (for the mean the Trainer logs). */
    private double lossSinceLog;
    private long stepsSinceLog;
    /** Sum of all losses of the run (training_loss = this / global_step). */
    private double lossTotal;
    /** Wall time of earlier sessions of this run (resumed runs), seconds. */
    private double runtimeBefore;
    private final List<Map<String, Object>> logHistory = new ArrayList<>();
    private Path lastCheckpoint;

    public Trainer(SequenceClassifier model, TrainConfig cfg, BatchSource train, BatchSource eval, Path outputDir,
                   WeightStore weights) {
        this.model = model;
        this.cfg = cfg.validate();
        this.train = train;
        this.eval = eval;
        this.outputDir = outputDir;
        this.weights = weights;
        this.params = model.params();
        this.optimizer = new AdamW(params, cfg.optimizer, cfg.adamBeta1, cfg.adamBeta2, cfg.adamEpsilon, cfg.weightDecay);
        this.stepsPerEpoch = train.batchesPerEpoch();
        this.totalSteps = cfg.totalSteps(stepsPerEpoch);
        this.numEpochs = cfg.epochsFor(stepsPerEpoch);
        this.schedule = new LinearSchedule(cfg.learningRate, cfg.warmupSteps, totalSteps);
    }

    public Trainer addListener(TrainListener l) {
        listeners.add(l);
        return this;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public long globalStep() {
        return globalStep;
    }

    public long totalSteps() {
        return totalSteps;
    }

    public List<Map<String, Object>> logHistory() {
        return logHistory;
    }

    /** The dropout seed of optimiser step {@code step}: a pure function of (seed, step), so a resume replays it. */
    public static long dropoutSeed(long seed, long step) {
        return DropoutRng.bits(seed ^ 0x6a09e667f3bcc909L, step);
    }

    /** Trains from the start, or from {@code resumeFrom} (a checkpoint-N folder) when non-null. */
    public TrainResult train(Path resumeFrom) throws IOException {
        Files.createDirectories(outputDir);
        Checkpoints.cleanStale(outputDir);
        if (resumeFrom != null) restore(resumeFrom);
        rewriteMetrics();

        long startStep = globalStep;
        long sessionStart = System.nanoTime();
        sessionStartForState = sessionStart;
        for (TrainListener l : listeners) l.onStart(totalSteps, startStep, numEpochs, stepsPerEpoch);

        long sessionSamples = 0;
        reserveLargestBatch(startStep);
        for (Param p : params) p.zeroGrad(); // from here on the optimiser step leaves them zeroed
        while (globalStep < totalSteps) {
            int epoch = (int) (globalStep / stepsPerEpoch);
            int b = (int) (globalStep % stepsPerEpoch);
            Batch batch = train.batch(epoch, b);

            float loss = model.forward(batch.ids, batch.offsets, batch.rows, batch.labels, true,
                    dropoutSeed(cfg.seed, globalStep));
            if (!Float.isFinite(loss)) diverged("the training loss is " + loss, epoch, b);
            model.backward();
            float gradNorm = GradClip.norm(params);
            if (!Float.isFinite(gradNorm)) diverged("the gradient norm is " + gradNorm, epoch, b);
            double lr = schedule.lr(globalStep);
            // Clipping (g ← g·coef), the update and zero_grad for the next step, in one pass over the gradients.
            optimizer.step(lr, GradClip.coefficient(gradNorm, (float) cfg.maxGradNorm), true);
            globalStep++;
            lossSinceLog += loss;
            stepsSinceLog++;
            lossTotal += loss;
            sessionSamples += batch.rows;

            boolean epochEnd = b + 1 == stepsPerEpoch;
            boolean last = globalStep == totalSteps;
            double epochF = epoch + (double) (b + 1) / stepsPerEpoch;
            double seconds = (System.nanoTime() - sessionStart) / 1e9;
            double samplesPerSecond = seconds > 0 ? sessionSamples / seconds : 0;
            for (TrainListener l : listeners) l.onStep(globalStep, totalSteps, epochF, loss, samplesPerSecond);

            if (globalStep % cfg.loggingSteps == 0) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("loss", lossSinceLog / stepsSinceLog);
                e.put("grad_norm", (double) gradNorm);
                e.put("learning_rate", lr); // the rate this step used, as transformers 5.x logs it
                e.put("epoch", epochF);
                e.put("step", globalStep);
                lossSinceLog = 0;
                stepsSinceLog = 0;
                record(e);
                for (TrainListener l : listeners) l.onLog(e);
            }
            if ((epochEnd || last) && eval != null && cfg.evalEachEpoch) evaluate(epochF, epoch + 1);
            if ((cfg.saveSteps > 0 && globalStep % cfg.saveSteps == 0) || last) saveCheckpoint(epochF);
        }

        double runtime = runtimeBefore + (System.nanoTime() - sessionStart) / 1e9;
        long samples = samplesUpTo(globalStep);
        double epochF = (double) globalStep / stepsPerEpoch;
        TrainResult result = new TrainResult(globalStep, globalStep == 0 ? 0 : lossTotal / globalStep, runtime,
                runtime > 0 ? samples / runtime : 0, runtime > 0 ? globalStep / runtime : 0,
                Math.min(epochF, numEpochs));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("train_runtime", round4(runtime));
        e.put("train_samples_per_second", round3(result.trainSamplesPerSecond()));
        e.put("train_steps_per_second", round3(result.trainStepsPerSecond()));
        e.put("total_flos", 0.0);
        e.put("train_loss", result.trainingLoss());
        e.put("epoch", result.epoch());
        e.put("step", globalStep);
        record(e);
        saveFinal(result);
        for (TrainListener l : listeners) l.onEnd(result);
        return result;
    }

    /** Training rows seen in the first {@code steps} steps (every batch is full except the last of each epoch). */
    private long samplesUpTo(long steps) {
        long fullEpochs = steps / stepsPerEpoch;
        long rest = steps % stepsPerEpoch;
        return fullEpochs * train.size() + Math.min(rest * train.batchSize(), train.size());
    }

    private void diverged(String what, int epoch, int b) {
        throw new TrainingDivergedException(what + " at step " + (globalStep + 1) + " (epoch " + (epoch + 1)
                + ", batch " + (b + 1) + " of " + stepsPerEpoch + "); training stopped. "
                + (lastCheckpoint != null ? "The last good checkpoint is " + lastCheckpoint
                        + " (resume from it with a lower learning rate)." : "No checkpoint was written before it.")
                + " Current learning rate " + schedule.lr(globalStep) + ".");
    }

    // ------------------------------------------------------------------ evaluation

    /** Mean cross-entropy (weighted by rows, as the Trainer's evaluation loop) and accuracy on the evaluation set. */
    public double[] evaluateLossAccuracy() {
        Evaluation.Result r = Evaluation.run(model, eval);
        return new double[] {r.loss(), r.accuracy()};
    }

    /**
     * Sizes the model's activation buffers once, for the largest of the batches this session will see (the training
     * batches from {@code fromStep} on, and the evaluation batches): no buffer is reallocated mid-run, which would
     * leave the old ones as garbage and raise the peak memory. Building the batches costs milliseconds.
     */
    private void reserveLargestBatch(long fromStep) {
        LargestBatch largest = new LargestBatch(model.config().heads);
        for (long s = fromStep; s < totalSteps; s++) {
            Batch b = train.batch((int) (s / stepsPerEpoch), (int) (s % stepsPerEpoch));
            largest.add(b.offsets, b.rows);
        }
        if (eval != null) {
            for (int i = 0; i < eval.batchesPerEpoch(); i++) {
                Batch b = eval.batch(0, i);
                largest.add(b.offsets, b.rows);
            }
        }
        largest.reserveIn(model, true);
    }

    private void evaluate(double epochF, int epochNumber) throws IOException {
        Evaluation.Result r = Evaluation.run(model, eval);
        Map<String, Object> e = r.metrics();
        e.put("epoch", epochF);
        e.put("step", globalStep);
        record(e);
        // The table's "Training Loss" is the latest logged loss, "No log" before the first (as the Trainer's).
        Double trainingLoss = null;
        for (int i = logHistory.size() - 1; i >= 0; i--) {
            Object l = logHistory.get(i).get("loss");
            if (l != null) {
                trainingLoss = ((Number) l).doubleValue();
                break;
            }
        }
        for (TrainListener l : listeners) l.onEpochRow(epochNumber, trainingLoss, r.loss(), r.accuracy());
        TrainingChart.write(outputDir.resolve(CHART_FILE), logHistory);
    }

    // ------------------------------------------------------------------ logs

    private void record(Map<String, Object> entry) throws IOException {
        logHistory.add(entry);
        Files.writeString(outputDir.resolve(METRICS_FILE), new ObjectMapper().writeValueAsString(entry) + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** metrics.jsonl = the log history so far (on a resume, what the checkpoint knew; later lines are dropped). */
    private void rewriteMetrics() throws IOException {
        StringBuilder sb = new StringBuilder();
        ObjectMapper plain = new ObjectMapper();
        for (Map<String, Object> e : logHistory) sb.append(plain.writeValueAsString(e)).append('\n');
        Checkpoints.writeAtomically(outputDir.resolve(METRICS_FILE), sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static double round4(double x) {
        return Evaluation.round4(x);
    }

    private static double round3(double x) {
        return Evaluation.round3(x);
    }

    // ------------------------------------------------------------------ checkpoints

    /** trainer_state.json as the Trainer writes it, plus a "distilj" block with what an exact resume needs. */
    private ObjectNode trainerState(double epochF) {
        ObjectNode s = JSON.createObjectNode();
        s.putNull("best_global_step");
        s.putNull("best_metric");
        s.putNull("best_model_checkpoint");
        s.put("epoch", epochF);
        s.putNull("eval_steps");
        s.put("global_step", globalStep);
        s.put("is_hyper_param_search", false);
        s.put("is_local_process_zero", true);
        s.put("is_world_process_zero", true);
        s.set("log_history", JSON.valueToTree(logHistory));
        s.put("logging_steps", cfg.loggingSteps);
        s.put("max_steps", totalSteps);
        s.put("num_input_tokens_seen", 0);
        s.put("num_train_epochs", numEpochs);
        s.put("save_steps", cfg.saveSteps);
        s.put("total_flos", 0);
        s.put("train_batch_size", cfg.batchSize);
        s.putNull("trial_name");
        s.putNull("trial_params");
        ObjectNode d = s.putObject("distilj");
        d.put("epoch_index", globalStep / stepsPerEpoch);
        d.put("batch_in_epoch", globalStep % stepsPerEpoch);
        d.put("steps_per_epoch", stepsPerEpoch);
        // Sums as exact bit patterns: a resumed run must log the same means to the last bit.
        d.put("loss_since_log", Double.doubleToRawLongBits(lossSinceLog));
        d.put("steps_since_log", stepsSinceLog);
        d.put("loss_total", Double.doubleToRawLongBits(lossTotal));
        d.put("runtime_seconds", runtimeBefore + (System.nanoTime() - sessionStartForState) / 1e9);
        return s;
    }

    /** When this session started (System.nanoTime), for the runtime a checkpoint records. */
    private long sessionStartForState = System.nanoTime();

    private void saveCheckpoint(double epochF) throws IOException {
        ObjectNode state = trainerState(epochF);
        Path dir = Checkpoints.save(outputDir, globalStep, tmp -> {
            weights.save(model, tmp);
            List<TensorFile.Tensor> moments = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                moments.add(new TensorFile.Tensor("exp_avg." + p.name, p.shape, optimizer.m(i)));
                moments.add(new TensorFile.Tensor("exp_avg_sq." + p.name, p.shape, optimizer.v(i)));
            }
            TensorFile.write(tmp.resolve(OPTIMIZER_FILE), moments, Map.of(
                    "step", Long.toString(optimizer.stepCount()), "variant", optimizer.variant().name()));
            ObjectNode sch = JSON.createObjectNode();
            sch.put("type", "linear");
            sch.put("base_lr", schedule.baseLr());
            sch.put("warmup_steps", schedule.warmupSteps());
            sch.put("total_steps", schedule.totalSteps());
            sch.put("last_step", globalStep);
            sch.put("next_lr", schedule.lr(globalStep));
            writeJson(tmp.resolve(SCHEDULER_FILE), sch);
            ObjectNode rng = JSON.createObjectNode();
            rng.put("seed", cfg.seed);
            rng.put("epoch", globalStep / stepsPerEpoch);
            rng.put("batch_in_epoch", globalStep % stepsPerEpoch);
            rng.put("data_order", "permutation of (seed, epoch)");
            rng.put("dropout", "counter-based masks of (seed, global step)");
            writeJson(tmp.resolve(RNG_FILE), rng);
            writeJson(tmp.resolve(ARGS_FILE), JSON.valueToTree(cfg));
            writeJson(tmp.resolve(Checkpoints.STATE_FILE), state); // last: marks the folder complete
        });
        lastCheckpoint = dir;
        for (TrainListener l : listeners) l.onCheckpoint(dir);
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(node);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    /** Loads everything a checkpoint holds back into the model, the optimiser and this trainer. */
    private void restore(Path dir) throws IOException {
        Path stateFile = dir.resolve(Checkpoints.STATE_FILE);
        if (!Files.isRegularFile(stateFile))
            throw new IOException(dir + " is not a complete checkpoint (no " + Checkpoints.STATE_FILE + ")");
        JsonNode state = JSON.readTree(stateFile.toFile());
        JsonNode d = state.path("distilj");
        if (d.isMissingNode()) throw new IOException(stateFile + ": not written by distilj (no \"distilj\" block)");
        JsonNode args = JSON.readTree(dir.resolve(ARGS_FILE).toFile());
        requireSame(dir, "seed", args.path("seed").asLong(), cfg.seed);
        requireSame(dir, "batchSize", args.path("batchSize").asLong(), cfg.batchSize);
        requireSame(dir, "steps_per_epoch", d.path("steps_per_epoch").asLong(), stepsPerEpoch);
        JsonNode sch = JSON.readTree(dir.resolve(SCHEDULER_FILE).toFile());
        requireSame(dir, "total_steps", sch.path("total_steps").asLong(), totalSteps);

        weights.load(model, dir);
        Map<String, float[]> moments = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            moments.put("exp_avg." + params.get(i).name, optimizer.m(i));
            moments.put("exp_avg_sq." + params.get(i).name, optimizer.v(i));
        }
        TensorFile.readInto(dir.resolve(OPTIMIZER_FILE), moments);
        globalStep = state.path("global_step").asLong();
        optimizer.setStepCount(globalStep);
        lossSinceLog = Double.longBitsToDouble(d.path("loss_since_log").asLong());
        stepsSinceLog = d.path("steps_since_log").asLong();
        lossTotal = Double.longBitsToDouble(d.path("loss_total").asLong());
        runtimeBefore = d.path("runtime_seconds").asDouble();
        logHistory.clear();
        for (JsonNode e : (ArrayNode) state.path("log_history")) {
            Map<String, Object> m = new LinkedHashMap<>();
            e.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().isIntegralNumber()
                    ? (Object) f.getValue().asLong() : (Object) f.getValue().asDouble()));
            logHistory.add(m);
        }
        lastCheckpoint = dir;
    }

    private static void requireSame(Path dir, String what, long saved, long now) {
        if (saved != now)
            throw new IllegalArgumentException("cannot resume from " + dir + ": it was trained with " + what + " = "
                    + saved + ", this run has " + now + " (an exact resume needs the same settings)");
    }

    // ------------------------------------------------------------------ the end

    /** The final model at the top level of the output folder, with trainer_state.json and the chart. */
    private void saveFinal(TrainResult result) throws IOException {
        Path tmp = outputDir.resolve("final.tmp");
        Checkpoints.deleteTree(tmp);
        Files.createDirectory(tmp);
        weights.save(model, tmp);
        try (var s = Files.list(tmp)) {
            for (Path f : s.toList())
                Files.move(f, outputDir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(tmp);
        Checkpoints.writeAtomically(outputDir.resolve(Checkpoints.STATE_FILE),
                JSON.writeValueAsBytes(trainerState(result.epoch())));
        TrainingChart.write(outputDir.resolve(CHART_FILE), logHistory);
    }
}
