package distilj.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply on the Vector API: {@code C[M,N] = beta·C + op(A)[M,K] · op(B)[K,N]}, beta ∈ {0, 1}.
 *
 * <p>The classic Goto/BLIS recipe, in three layers:
 * <ol>
 *   <li><b>Packing.</b> op(B) is copied into {@code KC×NR} "micro-panels" (for each k, NR consecutive columns), and
 *   each task copies its rows of op(A) into {@code MR×KC} micro-panels (for each k, MR consecutive rows). The
 *   transposes are absorbed here, so one micro-kernel serves all four (transA, transB) cases, and its loads are
 *   contiguous. Packed panels start on a 64-byte cache line ({@link CacheLine}). A transposing copy first stages whole
 *   rows of the source, then transposes from the cache ({@link #stageRows}). Ragged edges repeat a real row or column:
 *   those parts of an edge tile are computed in a scratch tile and thrown away. A packed B of up to 16 MB is made
 *   whole, before the multiply; a larger one a group of K blocks (at most 8 MB) at a time, each group right before the
 *   tasks that use it, so that it is still in the caches when they read it ({@link #kBlocksPerGroup}). A wide op(A) =
 *   Aᵀ (M ≥ {@link #A_WHOLE_MIN_M}, on one thread {@link #A_WHOLE_MIN_M_ONE_THREAD}) is packed like B, once for all
 *   tasks, from whole rows of A ({@link #packAWhole}).</li>
 *   <li><b>Cache blocking.</b> K is cut into blocks of {@code KC} = 768. A task packs its {@code MC×KC} block of A
 *   (384 KB, L2); for each MR-row micro-panel of it ({@code MR·KC·4}: 24 KB with the 8×3 tile, in the 32 KB L1; 43 KB
 *   with 14×2, partly from L2) the task's B micro-panels of this K block ({@code KC×NC}, up to 9.4 MB, streamed from
 *   L2 and L3) stream past, and the tiles of C it writes are neighbours in memory. The depth is a trade: each K block
 *   is one more pass over C (read, add, write), a deeper one a larger A panel. 768 and 3072 are multiples of it, and
 *   the 768-deep products take one pass. KC 384 → 768, measured with benchmarks/gemm-ab.sh (both orders, 18 shape×op
 *   cases at 1,750 and 3,584 tokens): JDK 17 (8×3) 1 thread 0.998–1.045, 2 threads 1.001–1.036 at 1,750 tokens (at
 *   3,584 the order with the new class second read 1.000–1.052; the other order, 1.26–1.39, had the old class stuck
 *   in the slow two-thread mode); JDK 25 (14×2) 1 thread 1.002–1.057 over 9 cases. 1,024 and 1,536 read no better
 *   than 768 in single runs. (KC 256 → 384 had been +1–4 % on 1 thread.)</li>
 *   <li><b>Micro-kernel.</b> An {@code MR×NR} tile of C, e.g. 14×(2 vectors), lives in vector registers for the whole
 *   K block: per k, the tile's B vectors are loaded and each of its MR A values is broadcast into one FMA per B
 *   vector. The tile depends on the vector width and the JDK ({@link #tile}): 8×3, 14×2 or 6×2.</li>
 * </ol>
 *
 * <p>Threads split C into blocks of about MC rows by at most NC columns (tasks), never K (a task covers all the K
 * blocks of a group): every element of C is accumulated in the same order (each K block summed from zero in k order,
 * the block sums added to C in block order) whatever the thread count, blocks or grouping, so results are
 * bit-identical for any pool size. Problems below {@link #SMALL_FLOPS} (attention heads, the classifier) take a
 * simpler single-thread path that blocks K the same way.
 *
 * <p>Hot methods are deliberately small (the micro-kernel is one straight loop, called, never inlined): C2 compiles
 * huge methods badly.
 */
final class SimdGemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Register tiles of the micro-kernel: rows × vectors of C ({@link #tile}). */
    static final int TILE_14X2 = 0, TILE_8X3 = 1, TILE_6X2 = 2;
    /** This JVM's tile, chosen once: see {@link #tile}. */
    static final int TILE = tile(System.getProperty("distilj.gemm.tile"), L, Runtime.version().feature());
    /** Micro-tile: MR rows × NR columns (NR a whole number of vectors). */
    static final int MR = tileRows(TILE), NR = (TILE == TILE_8X3 ? 3 : 2) * L;
    /** Floats that one slot of an A micro-panel (MR floats) is copied with: whole vectors, the rest spilling into the
     *  next slot (see {@link #packA}). */
    static final int MR_SPAN = span(MR, L);
    /** The small path's tile: 4 rows × SNR columns (two vectors), whatever the packed path's tile. */
    static final int SNR = 2 * L;
    /** Cache blocks: KC (depth), MC (rows of A per task), NC (most columns of B per task, {@link #colBlocks}); each
     *  can be overridden with -Ddistilj.gemm.kc / .mc / .nc for tuning (benchmarks' GemmProbe). Results change with KC
     *  (by rounding), never with MC or NC. */
    static final int KC = Integer.getInteger("distilj.gemm.kc", 768), MC = Integer.getInteger("distilj.gemm.mc", 128),
            NC = Integer.getInteger("distilj.gemm.nc", 3072);
    /** Packed B larger than this (in floats: 16 MB) is made in groups of K blocks of at most B_GROUP_FLOATS (8 MB);
     *  see {@link #kBlocksPerGroup}. -Ddistilj.gemm.bwhole / .bgroup for tuning. */
    static final int B_WHOLE_FLOATS = Integer.getInteger("distilj.gemm.bwhole", 4 << 20),
            B_GROUP_FLOATS = Integer.getInteger("distilj.gemm.bgroup", 2 << 20);
    /** Rows are staged ({@link #stageRows}) this many K blocks at a time (3,072 columns): bounds the staging buffer. */
    static final int STAGE_BLOCKS = 8;
    /** From this many rows of C on, op(A) = Aᵀ is packed once for all tasks ({@link #packAWhole}); on one thread from
     *  {@link #A_WHOLE_MIN_M_ONE_THREAD} rows. */
    static final int A_WHOLE_MIN_M = 2048, A_WHOLE_MIN_M_ONE_THREAD = 512;
    /** An A slot (MR floats) is half a vector (the 8×3 tile with 16 lanes): op(A) = Aᵀ is then packed two k at a time,
     *  one vector per two slots ({@link #packAPairs}). */
    static final boolean PAIRS = 2 * MR == L;
    /** The upper MR lanes of a vector: where {@link #PAIRS} puts slot k+1. */
    static final VectorMask<Float> UPPER = VectorMask.fromLong(F, -1L << MR);
    /** Below this many multiply-adds (M·N·K) the unpacked single-thread path is faster. */
    static final long SMALL_FLOPS = 96L * 96 * 96;

    /**
     * The register tile for {@code lanes} float lanes on JDK {@code jdk}, or the one named by {@code forced}
     * (-Ddistilj.gemm.tile=14x2, 8x3 or 6x2: benchmarks, and the tests of the tiles this JVM would not pick). Every
     * tile gives the same bits (each element of C is the same FMA chain), so this choice is free for speed alone.
     * <ul>
     *   <li>Fewer than 16 lanes (AVX2, SSE, NEON): 6×2, 12 accumulators. AVX2 has 16 vector registers, too few for
     *   the tiles below, which would spill.
     *   <li>16 lanes (AVX-512, 32 registers) on JDK 17: 8×3. Against 14×2, measured with benchmarks/gemm-ab.sh (both
     *   orders, nine shape×op cases each at 1,750 and 3,584 tokens): 1 thread 0.994–1.028, 2 threads 0.998–1.042,
     *   most on the products with 3,072 columns. Per k it loads 3 B vectors and 8 A values for 24 FMAs (14×2: 2 and
     *   14 for 28). A likely reason for where it gains: C's rows 12 KB apart all fall in one set of the 8-way L1,
     *   which a tile of 8 rows fits and one of 14 overflows.
     *   <li>16 lanes on newer JDKs: 14×2. JDK 25's C2 hoists the 8×3 kernel's broadcasts ahead of its FMAs and then
     *   spills an accumulator to the stack inside the k loop (read with -XX:+PrintAssembly): whole GEMMs ran 12–15 %
     *   slower than with 14×2, which it compiles without a spill.
     * </ul>
     */
    static int tile(String forced, int lanes, int jdk) {
        if (forced == null) return lanes < 16 ? TILE_6X2 : jdk <= 17 ? TILE_8X3 : TILE_14X2;
        int tile;
        switch (forced) {
            case "14x2": tile = TILE_14X2; break;
            case "8x3": tile = TILE_8X3; break;
            case "6x2": tile = TILE_6X2; break;
            default: throw new IllegalArgumentException("-Ddistilj.gemm.tile must be 14x2, 8x3 or 6x2, got '" + forced
                    + "'");
        }
        // packA copies a slot of MR floats as whole vectors and lets the rest spill into the next slot only.
        int mr = tileRows(tile);
        if (span(mr, lanes) - mr > mr) {
            throw new IllegalArgumentException("-Ddistilj.gemm.tile=" + forced + " needs at most " + 2 * mr
                    + " float lanes, this JVM has " + lanes);
        }
        return tile;
    }

    /** MR, the rows of C in a tile. */
    static int tileRows(int tile) {
        return tile == TILE_8X3 ? 8 : tile == TILE_6X2 ? 6 : 14;
    }

    /** n floats rounded up to whole vectors of {@code lanes}: what {@link #copyVectors} copies. */
    static int span(int n, int lanes) {
        return (n + lanes - 1) / lanes * lanes;
    }

    private final Parallel parallel;

    /**
     * Per-thread buffers, grown when needed, never shrunk: no allocation on the steady-state path. The packed ones
     * (bPack, aPack, aWhole) are used from {@link CacheLine#offset} on, so that the packing's vector stores each fill
     * one cache line instead of straddling two: A/B against packing wherever the array begins, benchmarks/gemm-ab.sh,
     * both orders, 12 shape×op cases: 1 thread dW +0.5–1.5 %, the rest 0.991–1.009; 2 threads (9 cases)
     * 0.998–1.015. (Starting the staging rows on a line too read 0.993–1.002: not done.)
     */
    private static final class Scratch {
        float[] bPack = new float[0];
        float[] aPack = new float[0];
        /** Whole rows of A or B copied here before they are transposed into micro-panels ({@link #stageRows}). */
        float[] stage = new float[0];
        final float[] tile = new float[MR * NR];
        float[] smallB = new float[0];
        /** op(A) = Aᵀ of a whole group of K blocks, packed for all tasks ({@link #packAWhole}). */
        float[] aWhole = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    SimdGemm(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * The full contract of {@link Kernels#gemm}; {@code bias} (length N, may be null) is added to every row of C at
     * the end (the fused bias of a linear layer).
     */
    void gemm(boolean transA, boolean transB, int M, int N, int K,
              float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
              float beta, float[] C, int cOff, int ldc, float[] bias, int biasOff) {
        if (M <= 0 || N <= 0) return;
        if (beta != 0f && beta != 1f) throw new IllegalArgumentException("beta must be 0 or 1, got " + beta);
        if ((long) M * N * K <= SMALL_FLOPS || K == 0) {
            small(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
            if (bias != null) addBias(C, cOff, ldc, 0, M, 0, N, bias, biasOff);
        } else {
            packed(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, bias, biasOff);
        }
    }

    // ------------------------------------------------------------------ packed path

    private void packed(boolean transA, boolean transB, int M, int N, int K,
                        float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                        float beta, float[] C, int cOff, int ldc, float[] bias, int biasOff) {
        // Packed op(B) of a group of K blocks: for each K block kb of the group (depth kc), for each NR-column panel
        // p, kc·NR floats. Panel (kb, p) starts at b0 + (kb − first kb of the group)·KC·nPadded + p·kc·NR, where
        // nPadded is N rounded up to NR and b0 puts the first panel on a cache line.
        int nPanels = (N + NR - 1) / NR;
        int nPadded = nPanels * NR;
        int kBlocks = (K + KC - 1) / KC, perGroup = kBlocksPerGroup(nPadded, kBlocks);
        Scratch own = SCRATCH.get();
        int need = nPadded * Math.min(K, perGroup * KC) + CacheLine.FLOATS;
        if (own.bPack.length < need) own.bPack = new float[need];
        float[] bp = own.bPack;
        int b0 = CacheLine.offset(bp); // the packed B starts on a cache line (so does every panel and slot: NR = 2–3·L)
        int panelGroups = (nPanels + 7) / 8;
        int tiles = (M + MR - 1) / MR, mBlocks = rowBlocks(M);
        int nBlocks = colBlocks(nPanels, mBlocks, parallel.threads());
        // Packed op(A) of a group when it is packed once (K block kb, tile t at kb·KC·mPadded + t·MR·kc), else null.
        int mPadded = tiles * MR, rowChunks = (KC + A_WHOLE_ROWS - 1) / A_WHOLE_ROWS;
        boolean packAOnce = transA && M >= (parallel.threads() == 1 ? A_WHOLE_MIN_M_ONE_THREAD : A_WHOLE_MIN_M);
        int aWholeNeed = mPadded * Math.min(K, perGroup * KC) + CacheLine.FLOATS;
        if (packAOnce && own.aWhole.length < aWholeNeed) own.aWhole = new float[aWholeNeed];
        float[] aWhole = packAOnce ? own.aWhole : null;
        int w0 = packAOnce ? CacheLine.offset(aWhole) : 0;
        for (int g0 = 0; g0 < kBlocks; g0 += perGroup) {
            int firstK = g0 * KC, groupK = Math.min(K, (g0 + perGroup) * KC) - firstK;
            int kbs = Math.min(perGroup, kBlocks - g0);
            boolean last = g0 + perGroup >= kBlocks;
            // Pack the group's B in parallel; the tasks write disjoint ranges. op(B) = Bᵀ (B is [N, K]): one task per
            // panel, whose NR rows of B are staged whole and transposed K block by K block. op(B) = B: one task per
            // (K block, 8 panels), plain vector copies, row by row (packBRows).
            if (transB) {
                parallel.forEach(nPanels, p -> packBTransposed(B, bOff, ldb, p * NR, Math.min(NR, N - p * NR), firstK,
                        groupK, bp, b0, p * NR, nPadded));
            } else {
                parallel.forEach(kbs * panelGroups, t -> {
                    int kb = t / panelGroups, g = t % panelGroups;
                    int k0 = firstK + kb * KC, kc = Math.min(KC, K - k0);
                    int pEnd = Math.min(nPanels, g * 8 + 8), pWhole = Math.max(g * 8, Math.min(pEnd, N / NR));
                    int dst = b0 + kb * KC * nPadded;
                    if (pWhole > g * 8) packBRows(B, bOff, ldb, k0, kc, g * 8, pWhole, bp, dst);
                    if (pWhole < pEnd) { // the ragged last panel (N not a multiple of NR)
                        packBEdge(B, bOff, ldb, k0, kc, pWhole * NR, N - pWhole * NR, bp, dst + pWhole * kc * NR);
                    }
                });
            }
            if (aWhole != null) {
                parallel.forEach(kbs * rowChunks, t -> {
                    int kb = t / rowChunks, k0 = firstK + kb * KC, kc = Math.min(KC, K - k0);
                    int from = (t % rowChunks) * A_WHOLE_ROWS, to = Math.min(kc, from + A_WHOLE_ROWS);
                    if (from < kc) packAWhole(A, aOff, lda, M, k0, kc, from, to, aWhole, w0 + kb * KC * mPadded);
                });
            }
            parallel.forEach(mBlocks * nBlocks, t -> {
                int mb = t / nBlocks, nb = t % nBlocks;
                int i0 = share(mb, tiles, mBlocks) * MR, rows = Math.min(share(mb + 1, tiles, mBlocks) * MR, M) - i0;
                int j0 = share(nb, nPanels, nBlocks) * NR;
                int cols = Math.min(share(nb + 1, nPanels, nBlocks) * NR, N) - j0;
                block(transA, A, aOff, lda, aWhole, w0, mPadded, bp, b0, nPadded, i0, rows, j0, cols, firstK, groupK,
                        beta, C, cOff, ldc);
                if (last && bias != null) addBias(C, cOff, ldc, i0, rows, j0, cols, bias, biasOff);
            });
        }
    }

    /**
     * How many K blocks of packed B to make at a time. Packing all of B before the multiply keeps each task's C block
     * in L2 across all of K, in one pass of tasks. But a task reads its B block of each K block (KC×NC, 1.2 MB with
     * KC 384 and NC 768 on the Intel VM of sessions 1–5) from wherever the packing left it for its first MR-row tile
     * row, and from L2 only for the others: when the whole packed B is large, that first row waits on DRAM. In the
     * weight gradient of the 3072→768 layer (packed B 44 MB at 3,584 tokens) the first tile row of each K block ran
     * 2.6–3.5× slower than the others and took 27 % of the time, against 16 % with an 11 MB B (a probe timing the
     * phases, 1 thread). So a packed B over 16 MB is made in equal groups of K blocks of at most 8 MB (or of one K
     * block if that is larger: 9.4 MB with KC 768 and 3,072 columns), each just before the tasks that use it. The
     * price is a pass of tasks per group: C blocks leave L2 in between, and the threads wait for each other at the end
     * of each pass. That is why B up to 16 MB stays whole: 8 MB groups cost 9 % (1 thread) on a 9.4 MB B. Measured
     * with benchmarks/gemm-ab.sh (both orders, KC 384): that weight gradient +34 % (1 thread) and +24 % (2 threads) at
     * 3,584 tokens, +18 % and +22 % at 1,750; the other shapes keep one group and the same code.
     */
    static int kBlocksPerGroup(int nPadded, int kBlocks) {
        if ((long) nPadded * KC * kBlocks <= B_WHOLE_FLOATS) return kBlocks;
        int most = Math.max(1, Math.min(kBlocks, B_GROUP_FLOATS / (nPadded * KC)));
        int groups = (kBlocks + most - 1) / most;
        return (kBlocks + groups - 1) / groups; // groups of equal size: 8 K blocks as 4 + 4, not 7 + 1
    }

    /**
     * Blocks of rows of C: about MC rows each, made of whole MR-row tiles dealt out evenly (768 rows = 55 tiles → 6
     * blocks of 9 or 10 tiles, not 5 of 140 rows and a ragged 68), so that the tasks are nearly equal and 2 threads
     * share them evenly. Which block a row falls in never changes its bits (every tile runs the same micro-kernel
     * chain), so this is free to change.
     */
    static int rowBlocks(int M) {
        return Math.max(1, (M + MC - 1) / MC);
    }

    /**
     * Blocks of columns of C, made of whole NR-column panels dealt out evenly: as few as NC (3,072 columns) allows, so
     * that a task packs its rows of op(A) once for more columns — the transposing pack of A is the dearest part of
     * packing. With NC 3,072 instead of 768: the 768→3072 forward +3–4 %, the dX and dW with 3,072 columns +2–4 %
     * (benchmarks/gemm-ab.sh, both orders, 1 and 2 threads, Zen 4, whose 1 MB L2 holds neither B block). But at
     * least 2 tasks per thread, so that the threads share the work evenly: C = 384×1536 (MiniLM's FFN weight
     * gradient) as one column block made 3 tasks for 2 threads and ran 20 % slower. Like the row blocks, this never
     * changes a bit of the result.
     */
    static int colBlocks(int nPanels, int mBlocks, int threads) {
        int fewest = (nPanels * NR + NC - 1) / NC, forThreads = (2 * threads + mBlocks - 1) / mBlocks;
        return Math.min(nPanels, Math.max(fewest, forThreads));
    }

    /** Start, in units, of block b when {@code units} are dealt out to {@code blocks} blocks (b = blocks gives the
     *  end): the first units % blocks blocks get one more. */
    static int share(int b, int units, int blocks) {
        int per = units / blocks, extra = units % blocks;
        return b * per + Math.min(b, extra);
    }

    /**
     * One task: C[i0:i0+mc, j0:j0+nc] over the group's K range [firstK, firstK + groupK), on the calling thread. For
     * each K block the task packs its MC×KC block of op(A) (unless all of op(A) was packed already: aWhole, laid out
     * as {@link #packAWhole} writes it, else null), then multiplies it by the packed B block.
     * <ul>
     *   <li>op(A) = Aᵀ (A is [K, M]): the MR rows of one k are contiguous in A, a plain vector copy ({@link #packA}).
     *   <li>op(A) = A (A is [M, K]), a transpose: the task's rows are staged whole, {@link #STAGE_BLOCKS} K blocks at a
     *   time, then each K block is transposed from the staging buffer ({@link #transposeA}).
     * </ul>
     */
    private static void block(boolean transA, float[] A, int aOff, int lda, float[] aWhole, int w0, int mPadded,
                              float[] bp, int b0, int nPadded, int i0, int mc, int j0, int nc, int firstK, int groupK,
                              float beta, float[] C, int cOff, int ldc) {
        Scratch s = SCRATCH.get();
        int need = (mc + MR - 1) / MR * MR * KC + MR_SPAN + CacheLine.FLOATS;
        if (aWhole == null && s.aPack.length < need) s.aPack = new float[need];
        float[] ap = s.aPack;
        int a0 = aWhole == null ? CacheLine.offset(ap) : 0; // the task's packed A starts on a cache line
        int end = firstK + groupK, span = STAGE_BLOCKS * KC, stride = 0;
        for (int k0 = firstK; k0 < end; k0 += KC) {
            int kc = Math.min(KC, end - k0), inSpan = (k0 - firstK) % span, aBase = a0;
            float[] panels = ap;
            if (aWhole != null) { // the task's panels start at tile i0 / MR of the K block's packed op(A)
                panels = aWhole;
                aBase = w0 + (k0 - firstK) * mPadded + i0 * kc;
            } else if (transA) {
                packA(A, aOff, lda, i0, mc, k0, kc, ap, a0);
            } else {
                if (inSpan == 0) stride = stageRows(s, A, aOff + i0 * lda, lda, mc, k0, Math.min(span, end - k0));
                for (int q = 0; q < mc; q += MR) {
                    transposeA(s.stage, q * stride + inSpan, stride, Math.min(MR, mc - q), kc, ap, a0 + q * kc);
                }
            }
            kBlock(panels, aBase, bp, i0, mc, j0, nc, k0, kc, b0 + (k0 - firstK) * nPadded, beta, C, cOff, ldc);
        }
    }

    /**
     * One task of one K block: C[i0:i0+mc, j0:j0+nc] += the packed block of op(A)[i0:i0+mc, k0:k0+kc] at aBase · the
     * packed B block at bBase, calling thread.
     */
    private static void kBlock(float[] ap, int aBase, float[] bp, int i0, int mc, int j0, int nc, int k0, int kc,
                               int bBase, float beta, float[] C, int cOff, int ldc) {
        Scratch s = SCRATCH.get();
        boolean accumulate = k0 > 0 || beta != 0f;
        // Rows of tiles outside, columns inside: the A micro-panel stays in L1 while the B panels of this K block
        // stream past it from L2, and consecutive tiles of C are neighbours in memory. Against the other nesting (B
        // panel held in L1, tiles walking down C at stride ldc), together with KC 384 and C read after the FMA loop:
        // +4 % on 2 threads, +3 % on 1 (geometric means over 9 shape×op cases, benchmarks/gemm-ab.sh, both orders).
        for (int i = 0; i < mc; i += MR) {
            int mr = Math.min(MR, mc - i);
            for (int j = 0; j < nc; j += NR) {
                int bo = bBase + ((j0 + j) / NR) * kc * NR;
                int nr = Math.min(NR, nc - j);
                int co = cOff + (i0 + i) * ldc + j0 + j;
                tile(s, ap, aBase + i * kc, bp, bo, kc, C, co, ldc, accumulate, mr, nr);
            }
        }
    }

    /** One MR×NR tile of C: straight into C when whole, through the scratch tile at the ragged edges. */
    private static void tile(Scratch s, float[] ap, int ao, float[] bp, int bo, int kc, float[] C, int co, int ldc,
                             boolean accumulate, int mr, int nr) {
        if (mr == MR && nr == NR) {
            micro(ap, ao, bp, bo, kc, C, co, ldc, accumulate);
        } else {
            if (accumulate) loadEdge(s.tile, mr, nr, C, co, ldc);
            micro(ap, ao, bp, bo, kc, s.tile, 0, NR, accumulate);
            storeEdge(s.tile, mr, nr, C, co, ldc);
        }
    }

    /** The micro-kernel of this JVM's {@link #TILE} (a constant: C2 keeps one branch). */
    private static void micro(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc,
                              boolean accumulate) {
        if (TILE == TILE_8X3) micro8x3(ap, ao, bp, bo, kc, c, co, ldc, accumulate);
        else if (TILE == TILE_6X2) micro6x2(ap, ao, bp, bo, kc, c, co, ldc, accumulate);
        else micro14x2(ap, ao, bp, bo, kc, c, co, ldc, accumulate);
    }

    /** Edge tiles go through an MR×NR scratch tile: C's mr×nr corner in (rest zero), ... */
    private static void loadEdge(float[] tile, int mr, int nr, float[] C, int co, int ldc) {
        java.util.Arrays.fill(tile, 0f);
        for (int r = 0; r < mr; r++) System.arraycopy(C, co + r * ldc, tile, r * NR, nr);
    }

    /** ... and the mr×nr corner back out. */
    private static void storeEdge(float[] tile, int mr, int nr, float[] C, int co, int ldc) {
        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * NR, C, co + r * ldc, nr);
    }

    /** C's mr×nr corner += the tile's (the small path's K blocks after the first). */
    private static void addEdge(float[] tile, int mr, int nr, float[] C, int co, int ldc) {
        for (int r = 0; r < mr; r++) {
            for (int c = 0; c < nr; c++) C[co + r * ldc + c] += tile[r * NR + c];
        }
    }

    /**
     * Packs op(A)[i0:i0+mc, k0:k0+kc] = Aᵀ (A is [K, M]) as MR-row micro-panels: panel q holds, for each k, rows q·MR …
     * q·MR+MR−1, which are contiguous in A: copied as whole vectors, MR_SPAN floats (e.g. one vector of 16 lanes for
     * MR = 14 or 8), stored at stride MR (the MR_SPAN − MR extra lanes land on the next k's slot, which the next copy
     * overwrites; the last k of the last panel spills into MR_SPAN floats of slack). Rows past mc (a ragged last
     * panel) hold whatever lies there (the next columns of A, or a repeated row near the end of A): those rows of the
     * tile are computed and thrown away. With {@link #PAIRS}, {@link #packAPairs} instead.
     */
    private static void packA(float[] A, int aOff, int lda, int i0, int mc, int k0, int kc, float[] ap, int a0) {
        if (PAIRS) {
            packAPairs(A, aOff, lda, i0, mc, k0, kc, ap, a0);
            return;
        }
        for (int q = 0; q < mc; q += MR) {
            int rows = Math.min(MR, mc - q);
            int base = a0 + q * kc;
            int src = aOff + k0 * lda + i0 + q, k = 0;
            // k < whole: the MR_SPAN floats at src + k·lda lie inside A (floorDiv: none at all when the room left
            // after src is short of MR_SPAN).
            int whole = Math.max(0, Math.min(kc, Math.floorDiv(A.length - MR_SPAN - src, lda) + 1));
            for (; k < whole; k++) copyVectors(A, src + k * lda, ap, base + k * MR, MR);
            for (; k < kc; k++) {
                copySlot(A, src + k * lda, rows, ap, base + k * MR);
            }
        }
    }

    /**
     * {@link #packA} when a slot is half a vector ({@link #PAIRS}: MR = 8, 16 lanes): slots k and k+1 of a panel are
     * one vector, made of row k of A (its lower MR lanes, loaded at the panel's column) blended with row k+1 (loaded MR
     * columns early, so that the panel's MR columns land in the upper lanes): two loads, a blend and one store per two
     * slots ({@link #storePair}), where packA's copies store a vector per slot, each overlapping the next. Rows of A
     * are walked in order, each read as one piece of mc columns. This and {@link #packBRows} together, against packA
     * and packing B panel by panel (per-task packing of A for M = 768 too), benchmarks/gemm-ab.sh, both orders, 1
     * thread: the six weight gradients (dW) +1.0–3.5 %, of which packBRows gave 0.5–0.8 % at N = 768; other products
     * unchanged. Near the end of A, or when the early load would start before index 0, the rest is copied lane by lane
     * (a ragged last panel repeating its last real row there, as packA does).
     */
    private static void packAPairs(float[] A, int aOff, int lda, int i0, int mc, int k0, int kc, float[] ap, int a0) {
        int src0 = aOff + k0 * lda + i0, lastQ = (mc - 1) / MR * MR;
        // Rows k < room have the last panel's vector inside A; a pair (k, k+1) needs k+1 < room, and its early load
        // of row k+1 starts at src0 + lda − MR at the lowest.
        int room = Math.floorDiv(A.length - L - (src0 + lastQ), lda) + 1;
        int pairs = src0 + lda < MR ? 0 : Math.max(0, Math.min(kc, room - 1) / 2 * 2);
        int k = 0;
        for (; k < pairs; k += 2) {
            int src = src0 + k * lda, d = a0 + k * MR;
            for (int q = 0; q < mc; q += MR) storePair(A, src + q, lda, ap, q * kc + d);
        }
        for (; k < kc; k++) {
            int src = src0 + k * lda;
            for (int q = 0; q < mc; q += MR) {
                int rows = Math.min(MR, mc - q), d = a0 + q * kc + k * MR;
                copySlot(A, src + q, rows, ap, d);
            }
        }
    }

    /** Slots k and k+1 of an A micro-panel as one vector ({@link #PAIRS}): dst[d … d+MR) = A[s … s+MR) (row k, lower
     *  lanes) and dst[d+MR … d+2·MR) = A[s+lda … s+lda+MR) (row k+1, loaded MR columns early into the upper lanes). */
    private static void storePair(float[] A, int s, int lda, float[] dst, int d) {
        FloatVector lower = FloatVector.fromArray(F, A, s);
        FloatVector upper = FloatVector.fromArray(F, A, s + lda - MR);
        lower.blend(upper, UPPER).intoArray(dst, d);
    }

    /** One A slot lane by lane, where whole vectors would not do: dst[d + r] = A[s + min(r, rows − 1)], r < MR (past
     *  {@code rows} real rows, the last one repeated). */
    private static void copySlot(float[] A, int s, int rows, float[] dst, int d) {
        for (int r = 0; r < MR; r++) dst[d + r] = A[s + Math.min(r, rows - 1)];
    }

    /** Copies n floats from src[s…] to dst[d…] as whole vectors: span(n, L) floats, the extra lanes past n included. */
    private static void copyVectors(float[] src, int s, float[] dst, int d, int n) {
        for (int v = 0; v < n; v += L) FloatVector.fromArray(F, src, s + v).intoArray(dst, d + v);
    }

    /** Rows of A per job of {@link #packAWhole}. */
    static final int A_WHOLE_ROWS = 16;

    /**
     * Packs rows from … to−1 of K block k0 (depth kc) of op(A) = Aᵀ (A is [K, M]) for every MR-row tile of C at once:
     * row k0+k of A, read whole, goes to slot k of every tile's micro-panel (dst[base + t·MR·kc + k·MR + r] = A[k0+k,
     * t·MR + r]). Why, for wide A only: a task that packs its own rows of op(A) ({@link #packA}) reads a 128-float
     * piece of each row of A, and with M = 3,072 (the weight gradient of the 768→3072 layer, A = dY) those pieces are
     * 12 KB apart and come from DRAM slowly; whole rows stream. gemm-ab.sh, both orders: the two dW with M = 3,072
     * +0.6–2.3 % on 1 thread (three runs), +0.5–1.2 % on 2 (two), no order reading below 0.998. With M = 768 (a task
     * covers a sixth of each row) it had cost 0–3 %. Since both packings go by {@link #PAIRS}, it gains there on one
     * thread and still loses on two (the three dW with M = 768, packed once against per task: 1 thread +0.4–1.7 %, 2
     * threads 0.97–1.00), hence {@link #A_WHOLE_MIN_M} and {@link #A_WHOLE_MIN_M_ONE_THREAD}. The
     * price is scratch for the group's op(A), M·K floats (21 MB for DistilBERT's 768→3072 weight gradient at 1,750
     * tokens), held like the packed B. With PAIRS, rows k and k+1 go into one vector per tile as in
     * {@link #packAPairs}. Otherwise each row is copied MR_SPAN floats (whole vectors) per tile, stored at stride MR
     * like packA's (the extra lanes land on the next k's slot, which the next row overwrites); the last row of a job,
     * whose next slot belongs to another job, and a last tile whose vectors would run past the array, are copied lane
     * by lane.
     */
    static void packAWhole(float[] A, int aOff, int lda, int M, int k0, int kc, int from, int to, float[] dst,
                           int base) {
        int tiles = (M + MR - 1) / MR;
        if (PAIRS) { // pairs of rows while both loads of every tile lie inside A; the rest below, row by row
            for (; from + 1 < to; from += 2) {
                int src = aOff + (k0 + from) * lda, last = (tiles - 1) * MR;
                if (src + lda < MR || src + last + L > A.length || src + lda + last + MR > A.length) break;
                for (int t = 0; t < tiles; t++) storePair(A, src + t * MR, lda, dst, base + t * MR * kc + from * MR);
            }
        }
        for (int k = from; k < to; k++) {
            int src = aOff + (k0 + k) * lda;
            boolean lastOfJob = k == to - 1;
            for (int t = 0; t < tiles; t++) {
                int at = src + t * MR, d = base + t * MR * kc + k * MR;
                if (!lastOfJob && at + MR_SPAN <= A.length) {
                    copyVectors(A, at, dst, d, MR);
                } else {
                    int rows = Math.min(MR, M - t * MR);
                    copySlot(A, at, rows, dst, d);
                }
            }
        }
    }

    /**
     * Packs op(B) = Bᵀ (B is [N, K]) for NR columns j0 … j0+NR−1 over the group's K range: the nr rows of B are staged
     * whole, {@link #STAGE_BLOCKS} K blocks at a time, and each K block kb is transposed into its micro-panel at
     * b0 + kb·KC·nPadded + panel·kc·NR (columns past nr repeat the last real one, thrown away with the edge tile).
     */
    private static void packBTransposed(float[] B, int bOff, int ldb, int j0, int nr, int firstK, int groupK,
                                        float[] bp, int b0, int panelCol, int nPadded) {
        Scratch s = SCRATCH.get();
        int end = firstK + groupK, span = STAGE_BLOCKS * KC, stride = 0;
        for (int k0 = firstK; k0 < end; k0 += KC) {
            int kc = Math.min(KC, end - k0), inSpan = (k0 - firstK) % span;
            if (inSpan == 0) stride = stageRows(s, B, bOff + j0 * ldb, ldb, nr, k0, Math.min(span, end - k0));
            transposeB(s.stage, inSpan, stride, nr, kc, bp, b0 + (k0 - firstK) * nPadded + panelCol * kc);
        }
    }

    /**
     * Copies columns [k0, k0+len) of {@code rows} rows of a row-major matrix (first row at src, row stride ld) into
     * the thread's staging buffer {@code s.stage}, row r at r·stride, and returns the stride. Why stage before
     * transposing: the transposes read a short piece (one K block, 1.5 KB) of many rows, which came from DRAM at a few
     * GB/s (the hardware prefetchers never get going, and vector gathers are slow on AMD Zen 4); whole rows copied one
     * after the other stream at ≈ 20 GB/s, and the transposes then read the staging buffer from the caches. The stride
     * is padded by 16 floats so that rows 4 KB apart do not all fall in one L1 set.
     */
    private static int stageRows(Scratch s, float[] src, int s0, int ld, int rows, int k0, int len) {
        int stride = len + L;
        if (s.stage.length < rows * stride) s.stage = new float[rows * stride];
        for (int r = 0; r < rows; r++) System.arraycopy(src, s0 + r * ld + k0, s.stage, r * stride, len);
        return stride;
    }

    /**
     * The transpose of packing into an MR-row micro-panel of A: dst[d0 + k·MR + r] = st[s0 + min(r, rows−1)·stride + k]
     * for r < MR, k < kc, i.e. {@code rows} staged rows (the last one repeated up to MR) into k-major order. Scalar
     * copies, 16 k at a time, so that the 16·MR floats being written stay in L1; on Zen 4 they beat AVX-512 gathers
     * even from L1. {@link #transposeB} is the same loop with width NR: each is written with its width as a constant,
     * because then C2 drops the range checks of the 16 stores (one method with the width as an argument packed A
     * 25–30 % slower).
     */
    private static void transposeA(float[] st, int s0, int stride, int rows, int kc, float[] dst, int d0) {
        int kk = 0;
        for (; kk + 16 <= kc; kk += 16) {
            for (int r = 0; r < MR; r++) {
                int from = s0 + Math.min(r, rows - 1) * stride + kk, to = d0 + kk * MR + r;
                for (int k = 0; k < 16; k++) dst[to + k * MR] = st[from + k];
            }
        }
        transposeTail(st, s0, stride, rows, MR, kk, kc, dst, d0);
    }

    /** {@link #transposeA} for a micro-panel of B: width NR. */
    private static void transposeB(float[] st, int s0, int stride, int rows, int kc, float[] dst, int d0) {
        int kk = 0;
        for (; kk + 16 <= kc; kk += 16) {
            for (int c = 0; c < NR; c++) {
                int from = s0 + Math.min(c, rows - 1) * stride + kk, to = d0 + kk * NR + c;
                for (int k = 0; k < 16; k++) dst[to + k * NR] = st[from + k];
            }
        }
        transposeTail(st, s0, stride, rows, NR, kk, kc, dst, d0);
    }

    /** The last kc − kk (< 16) k of a transpose. */
    private static void transposeTail(float[] st, int s0, int stride, int rows, int width, int kk, int kc, float[] dst,
                                      int d0) {
        for (int r = 0; r < width; r++) {
            int from = s0 + Math.min(r, rows - 1) * stride;
            for (int k = kk; k < kc; k++) dst[d0 + k * width + r] = st[from + k];
        }
    }

    /**
     * Packs whole panels p0 … p1−1 of op(B) = B (B is [K, N]) rows k0 … k0+kc−1 row by row: each row's (p1−p0)·NR
     * columns are read as one piece and copied to slot k of each panel (the panels of K block kb start at dst; panel p
     * at dst + p·kc·NR). Against panel by panel (k inside each panel), benchmarks/gemm-ab.sh, both orders, 1 thread, with
     * {@link #PAIRS}: dW with N = 768 +0.5–0.8 %, other cases within ±0.3 % (without PAIRS, session 8: 0.996–1.006).
     */
    private static void packBRows(float[] B, int bOff, int ldb, int k0, int kc, int p0, int p1, float[] bp, int dst) {
        for (int k = 0; k < kc; k++) {
            int src = bOff + (k0 + k) * ldb;
            for (int p = p0; p < p1; p++) copyVectors(B, src + p * NR, bp, dst + p * kc * NR + k * NR, NR);
        }
    }

    /**
     * Packs the ragged last panel of op(B) = B (B is [K, N]; nr < NR columns from j0), rows k0 … k0+kc−1, into one
     * micro-panel at {@code dst}: for each k, the nr columns, then zeros up to NR (thrown away with the edge tile).
     * Whole panels go through {@link #packBRows}.
     */
    private static void packBEdge(float[] B, int bOff, int ldb, int k0, int kc, int j0, int nr, float[] bp, int dst) {
        for (int k = 0; k < kc; k++) {
            int src = bOff + (k0 + k) * ldb + j0, d = dst + k * NR;
            for (int c = 0; c < NR; c++) bp[d + c] = c < nr ? B[src + c] : 0f;
        }
    }

    /**
     * The micro-kernel: {@code C[MR, NR] = (accumulate ? C : 0) + Apanel[MR, kc] · Bpanel[kc, NR]}, the 14×(2 vectors)
     * tile held in 28 of the 32 vector registers (2 more for B, 1 for the broadcast A). Measured on this machine,
     * 14×2 beat 8×2, 12×2, 4×4 and 6×4 tiles; 8×3 ({@link #micro8x3}) beats it on JDK 17 only ({@link #tile}). Each
     * element is one chain of FMAs in k order starting from zero, added to C's old value after the loop: C is read
     * only at the end, so a tile of C that has left the cache does not hold up the first FMAs, and the next tile's
     * chains can start while those loads are in flight (single-order A/B against starting the chains from C: +0–2 %
     * in the per-round medians of six shape×op cases). The result depends only on the data, not on the tile. Prologue
     * and epilogue are written out (no helper calls): a helper that C2 declines to inline would box the vectors and
     * run ~20× slower.
     */
    static void micro14x2(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc,
                          boolean accumulate) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00,
                c80 = c00, c81 = c00, c90 = c00, c91 = c00, c100 = c00, c101 = c00, c110 = c00, c111 = c00, c120 = c00,
                c121 = c00, c130 = c00, c131 = c00;
        // ak, bk recomputed from k each time (k is the loop's only induction variable): C2 then proves every index in
        // range once, before the loop. Stepping ak += MR instead saved a multiply per k on JDK 17 (+3–5 % in an L1
        // probe, nothing measurable in whole GEMMs) but made JDK 25 spill an accumulator and keep range checks in the
        // loop (whole GEMMs 5–8 % slower there).
        for (int k = 0; k < kc; k++) {
            int ak = ao + k * MR, bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bk);
            FloatVector b1 = FloatVector.fromArray(F, bp, bk + L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ak + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ak + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ak + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ak + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ak + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ak + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, ap[ak + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, ap[ak + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(F, ap[ak + 8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(F, ap[ak + 9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(F, ap[ak + 10]);
            c100 = a.fma(b0, c100);
            c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(F, ap[ak + 11]);
            c110 = a.fma(b0, c110);
            c111 = a.fma(b1, c111);
            a = FloatVector.broadcast(F, ap[ak + 12]);
            c120 = a.fma(b0, c120);
            c121 = a.fma(b1, c121);
            a = FloatVector.broadcast(F, ap[ak + 13]);
            c130 = a.fma(b0, c130);
            c131 = a.fma(b1, c131);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(F, c, co + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(F, c, co + 0 * ldc + L));
            c10 = c10.add(FloatVector.fromArray(F, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(F, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(F, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(F, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(F, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(F, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(F, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(F, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(F, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(F, c, co + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(F, c, co + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(F, c, co + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(F, c, co + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(F, c, co + 7 * ldc + L));
            c80 = c80.add(FloatVector.fromArray(F, c, co + 8 * ldc));
            c81 = c81.add(FloatVector.fromArray(F, c, co + 8 * ldc + L));
            c90 = c90.add(FloatVector.fromArray(F, c, co + 9 * ldc));
            c91 = c91.add(FloatVector.fromArray(F, c, co + 9 * ldc + L));
            c100 = c100.add(FloatVector.fromArray(F, c, co + 10 * ldc));
            c101 = c101.add(FloatVector.fromArray(F, c, co + 10 * ldc + L));
            c110 = c110.add(FloatVector.fromArray(F, c, co + 11 * ldc));
            c111 = c111.add(FloatVector.fromArray(F, c, co + 11 * ldc + L));
            c120 = c120.add(FloatVector.fromArray(F, c, co + 12 * ldc));
            c121 = c121.add(FloatVector.fromArray(F, c, co + 12 * ldc + L));
            c130 = c130.add(FloatVector.fromArray(F, c, co + 13 * ldc));
            c131 = c131.add(FloatVector.fromArray(F, c, co + 13 * ldc + L));
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c80.intoArray(c, co + 8 * ldc);
        c81.intoArray(c, co + 8 * ldc + L);
        c90.intoArray(c, co + 9 * ldc);
        c91.intoArray(c, co + 9 * ldc + L);
        c100.intoArray(c, co + 10 * ldc);
        c101.intoArray(c, co + 10 * ldc + L);
        c110.intoArray(c, co + 11 * ldc);
        c111.intoArray(c, co + 11 * ldc + L);
        c120.intoArray(c, co + 12 * ldc);
        c121.intoArray(c, co + 12 * ldc + L);
        c130.intoArray(c, co + 13 * ldc);
        c131.intoArray(c, co + 13 * ldc + L);
    }

    /** {@link #micro14x2} with an 8×(3 vectors) tile: 24 accumulators, 3 B vectors and the broadcast A. */
    static void micro8x3(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc,
                         boolean accumulate) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00,
                c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00, c50 = c00,
                c51 = c00, c52 = c00, c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        for (int k = 0; k < kc; k++) {
            int ak = ao + k * MR, bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bk);
            FloatVector b1 = FloatVector.fromArray(F, bp, bk + L);
            FloatVector b2 = FloatVector.fromArray(F, bp, bk + 2 * L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ak + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            a = FloatVector.broadcast(F, ap[ak + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            a = FloatVector.broadcast(F, ap[ak + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            a = FloatVector.broadcast(F, ap[ak + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            a = FloatVector.broadcast(F, ap[ak + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            c42 = a.fma(b2, c42);
            a = FloatVector.broadcast(F, ap[ak + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            c52 = a.fma(b2, c52);
            a = FloatVector.broadcast(F, ap[ak + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            c62 = a.fma(b2, c62);
            a = FloatVector.broadcast(F, ap[ak + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            c72 = a.fma(b2, c72);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(F, c, co + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(F, c, co + 0 * ldc + L));
            c02 = c02.add(FloatVector.fromArray(F, c, co + 0 * ldc + 2 * L));
            c10 = c10.add(FloatVector.fromArray(F, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(F, c, co + 1 * ldc + L));
            c12 = c12.add(FloatVector.fromArray(F, c, co + 1 * ldc + 2 * L));
            c20 = c20.add(FloatVector.fromArray(F, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(F, c, co + 2 * ldc + L));
            c22 = c22.add(FloatVector.fromArray(F, c, co + 2 * ldc + 2 * L));
            c30 = c30.add(FloatVector.fromArray(F, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(F, c, co + 3 * ldc + L));
            c32 = c32.add(FloatVector.fromArray(F, c, co + 3 * ldc + 2 * L));
            c40 = c40.add(FloatVector.fromArray(F, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(F, c, co + 4 * ldc + L));
            c42 = c42.add(FloatVector.fromArray(F, c, co + 4 * ldc + 2 * L));
            c50 = c50.add(FloatVector.fromArray(F, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(F, c, co + 5 * ldc + L));
            c52 = c52.add(FloatVector.fromArray(F, c, co + 5 * ldc + 2 * L));
            c60 = c60.add(FloatVector.fromArray(F, c, co + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(F, c, co + 6 * ldc + L));
            c62 = c62.add(FloatVector.fromArray(F, c, co + 6 * ldc + 2 * L));
            c70 = c70.add(FloatVector.fromArray(F, c, co + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(F, c, co + 7 * ldc + L));
            c72 = c72.add(FloatVector.fromArray(F, c, co + 7 * ldc + 2 * L));
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + L);
        c02.intoArray(c, co + 0 * ldc + 2 * L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c12.intoArray(c, co + 1 * ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c32.intoArray(c, co + 3 * ldc + 2 * L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c42.intoArray(c, co + 4 * ldc + 2 * L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c52.intoArray(c, co + 5 * ldc + 2 * L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c62.intoArray(c, co + 6 * ldc + 2 * L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
        c72.intoArray(c, co + 7 * ldc + 2 * L);
    }

    /** {@link #micro14x2} with a 6×(2 vectors) tile: 12 accumulators, for the 16 vector registers of AVX2. */
    static void micro6x2(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc,
                         boolean accumulate) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int k = 0; k < kc; k++) {
            int ak = ao + k * MR, bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bk);
            FloatVector b1 = FloatVector.fromArray(F, bp, bk + L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ak + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ak + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ak + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ak + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ak + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ak + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(F, c, co + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(F, c, co + 0 * ldc + L));
            c10 = c10.add(FloatVector.fromArray(F, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(F, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(F, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(F, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(F, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(F, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(F, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(F, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(F, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(F, c, co + 5 * ldc + L));
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    // ------------------------------------------------------------------ small path

    /**
     * Single-thread multiply for small problems (attention heads). op(B) is copied once into a row-major [K, np]
     * scratch (np = N rounded up to NR, zero padded), which absorbs transB and makes every load a full vector; op(A)
     * is read in place. Then 4×NR tiles of C are computed by {@link #smallTile} (8 independent FMA chains, enough to
     * hide the FMA latency), K block by K block like the packed path: each block's chain starts from zero and its sum
     * is added to C.
     */
    private static void small(boolean transA, boolean transB, int M, int N, int K,
                              float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                              float beta, float[] C, int cOff, int ldc) {
        Scratch s = SCRATCH.get();
        int np = (N + SNR - 1) / SNR * SNR;
        if (s.smallB.length < np * K) s.smallB = new float[np * K];
        float[] bs = s.smallB;
        for (int k = 0; k < K; k++) {
            int d = k * np;
            if (transB) {
                for (int j = 0; j < N; j++) bs[d + j] = B[bOff + j * ldb + k];
            } else {
                System.arraycopy(B, bOff + k * ldb, bs, d, N);
            }
            for (int j = N; j < np; j++) bs[d + j] = 0f;
        }
        int sk = transA ? lda : 1, si = transA ? 1 : lda; // steps of op(A) along k and along i
        float[] tile = s.tile;
        if (K == 0 && beta == 0f) {
            for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc, cOff + i * ldc + N, 0f);
        }
        // K in blocks of KC, each summed from zero and then added to C, exactly as the packed path does, so that an
        // element's bits do not depend on which path M·N·K selects (batch invariance of the model).
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean accumulate = k0 > 0 || beta != 0f;
            for (int i = 0; i < M; i += 4) {
                int mr = Math.min(4, M - i);
                for (int j = 0; j < N; j += SNR) {
                    int nr = Math.min(SNR, N - j), co = cOff + i * ldc + j;
                    smallTile(A, aOff + i * si + k0 * sk, si, sk, mr, bs, k0 * np + j, np, kc, tile);
                    if (accumulate) addEdge(tile, mr, nr, C, co, ldc);
                    else storeEdge(tile, mr, nr, C, co, ldc);
                }
            }
        }
    }

    /**
     * tile[4, NR] = op(A)[4 rows from a0, K] · the [K, NR] block of bs that starts at bStart (row stride np), one FMA
     * chain per element in k order starting from zero. Rows past mr repeat the last real row (computed, never
     * stored), so the loop has no branches.
     */
    private static void smallTile(float[] A, int a0, int si, int sk, int mr, float[] bs, int bStart, int np, int K,
                                  float[] tile) {
        int a1 = a0 + Math.min(1, mr - 1) * si, a2 = a0 + Math.min(2, mr - 1) * si, a3 = a0 + Math.min(3, mr - 1) * si;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00;
        for (int k = 0; k < K; k++) {
            int bo = bStart + k * np, ak = k * sk;
            FloatVector b0 = FloatVector.fromArray(F, bs, bo);
            FloatVector b1 = FloatVector.fromArray(F, bs, bo + L);
            FloatVector a = FloatVector.broadcast(F, A[a0 + ak]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, A[a1 + ak]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, A[a2 + ak]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, A[a3 + ak]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * C[i0:i0+mc, j0:j0+nc] += bias[j0:j0+nc] on every row: the fused bias of a linear layer, applied per block of C
     * right after its multiply, while the block is still in cache.
     */
    static void addBias(float[] C, int cOff, int ldc, int i0, int mc, int j0, int nc, float[] bias, int bo) {
        for (int i = i0; i < i0 + mc; i++) {
            int ci = cOff + i * ldc + j0, b = bo + j0, j = 0;
            for (; j <= nc - L; j += L) {
                FloatVector.fromArray(F, C, ci + j).add(FloatVector.fromArray(F, bias, b + j)).intoArray(C, ci + j);
            }
            for (; j < nc; j++) C[ci + j] += bias[b + j];
        }
    }
}
