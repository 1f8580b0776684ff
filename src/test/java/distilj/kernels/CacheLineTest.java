package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link CacheLine}: the addresses it decodes must behave like addresses. */
class CacheLineTest {

    private static void requireAddresses() {
        if (Runtime.version().feature() < 23) {
            assertNull(CacheLine.UNAVAILABLE, "JDK 17–22 always have sun.misc.Unsafe");
        } else {
            Assumptions.assumeTrue(CacheLine.UNAVAILABLE == null, "SKIPPED: " + CacheLine.UNAVAILABLE);
        }
    }

    /**
     * Two arrays allocated one after the other lie one after the other (bump allocation in the thread's buffer): a
     * wrong compressed-reference shift would make the distance 8 times too small or too large. A garbage collection or
     * a new buffer between the two can break a pair, so most pairs, not all, must agree.
     */
    @Test
    void consecutiveArraysAreTheirSizeApart() {
        requireAddresses();
        long size = (CacheLine.FLOAT_BASE + 16 * Float.BYTES + 7) / 8 * 8; // header and data, 8-byte aligned
        int agree = 0;
        for (int trial = 0; trial < 20; trial++) {
            float[] a = new float[16];
            float[] b = new float[16];
            long distance = CacheLine.address(b) - CacheLine.address(a);
            if (distance == size) agree++;
        }
        assertTrue(agree >= 15, agree + " of 20 pairs were exactly one array apart");
    }

    @Test
    void offsetPutsTheElementOnALine() {
        requireAddresses();
        for (int n : new int[] {1, 17, 1000, 1 << 20}) {
            float[] a = new float[n];
            int off = CacheLine.offset(a);
            assertTrue(off >= 0 && off < CacheLine.FLOATS, "offset " + off);
            assertEquals(0, CacheLine.address(a) % 8, "object addresses are multiples of 8");
            assertEquals(0, (CacheLine.address(a) + CacheLine.FLOAT_BASE + (long) Float.BYTES * off) % 64);
        }
    }
}
