package distilj.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.data.Dataset;
import distilj.data.Example;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import distilj.train.Evaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TextClassifier on a tiny saved model: the in-memory model's logits, any batch size, shared threads, closing. */
class TextClassifierTest {
    static final List<String> TEXTS = List.of("a good movie.", "The film is very, very boring!", "not great", "",
            "great", "bad bad bad film", "the movies is not boring");

    @Test
    void predictionsAreTheModelsLogitsInAnyBatch(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("m");
        SequenceClassifier model = TinyModels.save(folder, 11, "neg", "neutral", "pos");
        BertTokenizer tok = BertTokenizer.load(folder);
        try (TextClassifier clf = TextClassifier.load(folder)) {
            assertEquals(List.of("neg", "neutral", "pos"), clf.labels());
            assertTrue(clf.newlyInitialized().isEmpty());
            List<Prediction> all = clf.batchSize(3).predictAll(TEXTS);
            List<Prediction> one = clf.batchSize(1).predictAll(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                int[] ids = tok.encode(TEXTS.get(i));
                model.forward(ids, new int[] {0, ids.length}, 1, null, false, 0);
                float[] want = model.logits().clone();
                Prediction p = all.get(i);
                assertArrayEquals(want, p.logits(), 0f, "text " + i);
                assertArrayEquals(want, one.get(i).logits(), 0f);
                assertArrayEquals(want, clf.predict(TEXTS.get(i)).logits(), 0f);
                int best = 0;
                for (int c = 1; c < 3; c++) if (want[c] > want[best]) best = c;
                assertEquals(best, p.labelId());
                assertEquals(clf.labels().get(best), p.label());
                double[] prob = p.probabilities();
                assertEquals(1.0, prob[0] + prob[1] + prob[2], 1e-12);
                assertEquals(prob[best], p.score(), 1e-12);
            }
        }
    }

    @Test
    void sharedBetweenThreadsGivesTheSameAnswers(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("m");
        TinyModels.save(folder, 12, "neg", "pos");
        try (TextClassifier clf = TextClassifier.load(folder)) {
            List<Prediction> want = clf.predictAll(TEXTS);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Prediction>>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) fs.add(pool.submit(() -> clf.predictAll(TEXTS)));
                for (Future<List<Prediction>> f : fs) {
                    List<Prediction> got = f.get();
                    for (int i = 0; i < TEXTS.size(); i++) assertArrayEquals(want.get(i).logits(), got.get(i).logits(), 0f);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void evaluateMatchesPredictionsAndClosedIsAnError(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("m");
        TinyModels.save(folder, 13, "LABEL_0", "LABEL_1", "LABEL_2");
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) ex.add(new Example(TEXTS.get(i), i % 2));
        Dataset data = new Dataset("d", ex, List.of("no", "yes")); // names unknown to the model: compared by id
        TextClassifier clf = TextClassifier.load(folder);
        assertTrue(!clf.labelsMatchByName(data));
        Evaluation.Result r = clf.evaluate(data, 2);
        List<Prediction> ps = clf.predictAll(TEXTS);
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            if (ps.get(i).labelId() == i % 2) correct++;
            loss -= Math.log(ps.get(i).probabilities()[i % 2]);
        }
        assertEquals((double) correct / TEXTS.size(), r.accuracy(), 0.0);
        assertEquals(loss / TEXTS.size(), r.loss(), 1e-5);
        assertEquals(TEXTS.size(), r.rows());
        assertEquals(4, r.batches());
        clf.close();
        assertThrows(IllegalStateException.class, () -> clf.predict("good"));
        IOException e = assertThrows(IOException.class, () -> TextClassifier.load(dir.resolve("none")));
        assertTrue(e.getMessage().contains("no such model folder"), e.getMessage());
    }
}
