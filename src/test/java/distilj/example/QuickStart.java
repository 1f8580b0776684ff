package distilj.example;

import distilj.api.Prediction;
import distilj.api.TextClassifier;
import distilj.api.Training;
import distilj.api.TrainingOptions;
import distilj.train.TrainResult;
import java.nio.file.Path;
import java.util.List;

/**
 * The Java API in one file: fine-tune a pretrained model on the built-in rotten_tomatoes, then load the result and
 * classify texts.
 *
 * <pre>
 *   mvn -B -q package -DskipTests &amp;&amp; bash weights/fetch-minilm.sh
 *   java --add-modules jdk.incubator.vector -cp target/distilj.jar:target/test-classes \
 *        distilj.example.QuickStart weights/all-MiniLM-L6-v2 runs/quickstart
 * </pre>
 * Arguments: the pretrained model folder, the output folder, and optionally a number of optimiser steps (default:
 * one epoch).
 */
public final class QuickStart {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: QuickStart MODEL_DIR OUTPUT_DIR [MAX_STEPS]");
            System.exit(2);
        }
        Path base = Path.of(args[0]), output = Path.of(args[1]);

        // 1. Fine-tune: the Hugging Face recipe (lr 2e-5, batch 64, seed 42) for one epoch, evaluated on the test split.
        TrainingOptions options = TrainingOptions.defaults().model(base).epochs(1).output(output);
        if (args.length > 2) options.maxSteps(Long.parseLong(args[2]));
        TrainResult result = Training.run(options);
        System.out.printf("trained %d steps, mean loss %.4f, %.1f samples/s%n",
                result.globalStep(), result.trainingLoss(), result.trainSamplesPerSecond());

        // 2. Load the fine-tuned folder and classify. A TextClassifier holds the model's buffers: it is
        //    synchronized, so share it between threads freely (they take turns) or make one per thread.
        try (TextClassifier clf = TextClassifier.load(output)) {
            Prediction p = clf.predict("a gorgeous, witty, seductive movie.");
            System.out.println(p.label() + "\t" + p.score());
            List<Prediction> ps = clf.predictAll(List.of("the plot is a mess.", "an utterly charming film."));
            for (Prediction q : ps) System.out.println(q.label() + "\t" + q.score());
        }
    }
}
