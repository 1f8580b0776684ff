package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which register tile SimdGemm uses ({@link SimdGemm#tile}). The tiles themselves are tested by the GEMM tests, which
 * the build runs once per tile: in the default run, under -XX:UseAVX=2 (8 lanes, the 6×2 tile) and with each 16-lane
 * tile forced (pom.xml, the extra surefire executions).
 */
class TileSelectionTest {
    @Test
    void tileFollowsTheVectorWidthAndTheJdk() {
        assertEquals(SimdGemm.TILE_6X2, SimdGemm.tile(null, 8, 17), "AVX2: 16 registers");
        assertEquals(SimdGemm.TILE_6X2, SimdGemm.tile(null, 4, 25), "SSE / NEON");
        assertEquals(SimdGemm.TILE_8X3, SimdGemm.tile(null, 16, 17), "AVX-512 on JDK 17");
        assertEquals(SimdGemm.TILE_14X2, SimdGemm.tile(null, 16, 25), "AVX-512 on JDK 25");
        assertEquals(SimdGemm.TILE_14X2, SimdGemm.tile("14x2", 16, 17));
        assertEquals(SimdGemm.TILE_8X3, SimdGemm.tile("8x3", 16, 25));
        assertEquals(SimdGemm.TILE_6X2, SimdGemm.tile("6x2", 8, 17));
    }

    @Test
    void badOrUnfitTilesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimdGemm.tile("4x4", 16, 17));
        assertTrue(e.getMessage().contains("14x2, 8x3 or 6x2"), e.getMessage());
        // A 6-float slot copied with one 16-lane vector would spill past the next slot; 12 lanes spill into it exactly.
        e = assertThrows(IllegalArgumentException.class, () -> SimdGemm.tile("6x2", 16, 17));
        assertTrue(e.getMessage().contains("at most 12 float lanes"), e.getMessage());
        assertEquals(SimdGemm.TILE_6X2, SimdGemm.tile("6x2", 12, 17));
    }

    /** The build's AVX2 run sets distilj.test.lanesAtMost=8: the flag must really have narrowed the vectors. */
    @Test
    void thisRunHasTheVectorWidthItAskedFor() {
        String most = System.getProperty("distilj.test.lanesAtMost");
        int mostLanes = most == null ? 64 : Integer.parseInt(most);
        assertTrue(SimdGemm.L <= mostLanes, "float lanes " + SimdGemm.L + ", this run asked for at most " + most);
        assertEquals(SimdGemm.tile(System.getProperty("distilj.gemm.tile"), SimdGemm.L, Runtime.version().feature()),
                SimdGemm.TILE);
        System.out.printf("SimdGemm here: %d float lanes, tile %d×%d floats%n", SimdGemm.L, SimdGemm.MR, SimdGemm.NR);
    }
}
