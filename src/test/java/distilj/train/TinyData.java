package distilj.train;

import java.util.Random;

/** TEST ONLY: a learnable synthetic classification set: label 1 iff the row holds more "positive" ids (< vocab/2). */
final class TinyData {
    final int[][] rows;
    final int[] labels;

    TinyData(int n, int vocab, long seed) {
        Random r = new Random(seed);
        rows = new int[n][];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(10);
            rows[i] = new int[len];
            int pos = 0;
            for (int t = 0; t < len; t++) {
                rows[i][t] = r.nextInt(vocab);
                if (rows[i][t] < vocab / 2) pos++;
            }
            labels[i] = 2 * pos > len ? 1 : 0;
        }
    }
}
