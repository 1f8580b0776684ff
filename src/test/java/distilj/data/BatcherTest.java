package distilj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {
    /** n rows, row r = r+1 tokens "r*100 + j", label r % 2. */
    static EncodedDataset synthetic(int n) {
        int[] offsets = new int[n + 1], labels = new int[n];
        for (int r = 0; r < n; r++) {
            offsets[r + 1] = offsets[r] + (r % 7) + 1;
            labels[r] = r % 2;
        }
        int[] tokens = new int[offsets[n]];
        for (int r = 0; r < n; r++) for (int j = offsets[r]; j < offsets[r + 1]; j++) tokens[j] = r * 100 + (j - offsets[r]) + 1;
        return new EncodedDataset(tokens, offsets, labels, List.of("a", "b"), 0);
    }

    @Test
    void permutationIsAPermutationFixedBySeedAndEpoch() {
        int[] p = Batcher.permutation(8530, 42, 0);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(p, Batcher.permutation(8530, 42, 0));
        assertFalse(Arrays.equals(p, Batcher.permutation(8530, 42, 1)));
        assertFalse(Arrays.equals(p, Batcher.permutation(8530, 43, 0)));
        int fixed = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == i) fixed++;
        assertEquals(1.0, fixed, 6.0); // a random permutation has ~1 fixed point
    }

    @Test
    void splitMix64MatchesItsPublishedSequence() {
        // SplitMix64 (Steele, Lea, Flood; Vigna's splitmix64.c) seeded with 1234567: its first five outputs.
        String[] expected = {"6457827717110365317", "3203168211198807973", "9817491932198370423",
                "4593380528125082431", "16408922859458223821"};
        long state = 1234567;
        for (String e : expected) {
            state += 0x9E3779B97F4A7C15L;
            assertEquals(Long.parseUnsignedLong(e), Batcher.mix64(state));
        }
    }

    @Test
    void everyRowOncePerEpochLastPartialBatchKept() {
        EncodedDataset data = synthetic(8530);
        Batcher b = new Batcher(data, 64, true, 42);
        assertEquals(134, b.batchesPerEpoch());
        boolean[] seen = new boolean[8530];
        int[] order = b.order(3);
        for (int k = 0; k < 134; k++) {
            Batch batch = b.batch(order, k);
            assertEquals(k < 133 ? 64 : 18, batch.rows);
            for (int i = 0; i < batch.rows; i++) {
                int r = batch.rowIndex[i];
                assertFalse(seen[r]);
                seen[r] = true;
                assertArrayEquals(data.ids(r), Arrays.copyOfRange(batch.ids, batch.offsets[i], batch.offsets[i + 1]));
                assertEquals(data.label(r), batch.labels[i]);
            }
        }
        for (boolean s : seen) assertEquals(true, s);
        // resume: batch k of epoch e computed directly equals the one from the epoch's order
        Batch direct = b.batch(3, 77);
        assertArrayEquals(b.batch(order, 77).ids, direct.ids);
        assertArrayEquals(b.batch(order, 77).rowIndex, direct.rowIndex);
        assertThrows(IndexOutOfBoundsException.class, () -> b.batch(0, 134));
    }

    @Test
    void unshuffledIsDatasetOrder() {
        Batcher b = new Batcher(synthetic(10), 4, false, 42);
        assertArrayEquals(new int[] {8, 9}, b.batch(5, 2).rowIndex);
    }

    @Test
    void paddedViewPadsToLongestWithMask() {
        EncodedDataset data = synthetic(3); // lengths 1, 2, 3
        Batch b = data.gather(new int[] {2, 0, 1}, 0, 3);
        assertArrayEquals(new int[] {0, 3, 4, 6}, b.offsets);
        assertEquals(6, b.tokens());
        Batch.Padded p = b.padded();
        assertArrayEquals(new int[] {201, 202, 203}, p.ids()[0]);
        assertArrayEquals(new int[] {1, 0, 0}, p.ids()[1]);
        assertArrayEquals(new int[] {101, 102, 0}, p.ids()[2]);
        assertArrayEquals(new int[] {1, 0, 0}, p.mask()[1]);
        assertArrayEquals(new int[] {1, 1, 0}, p.mask()[2]);
    }
}
