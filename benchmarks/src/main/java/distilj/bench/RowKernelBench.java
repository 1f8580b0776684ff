package distilj.bench;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import distilj.kernels.SimdKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every non-GEMM kernel at DistilBERT sizes for a batch of {@code tokens} tokens: LayerNorm over [tokens, 768], GELU on
 * the FFN's [tokens, 3072], softmax over attention rows (12 heads × tokens rows of {@code seq} scores), dropout, and
 * the vector helpers on [tokens, 768]; SIMD and the scalar oracle side by side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseTransparentHugePages"})
public class RowKernelBench {
    @Param({"1750", "3584"})
    public int tokens;

    @Param({"1", "2"})
    public int threads;

    @Param({"simd", "scalar"})
    public String impl;

    /** Scores per attention row (the padded batch's sequence length). */
    @Param({"64"})
    public int seq;

    private static final int HIDDEN = 768, FFN = 3072, HEADS = 12;
    private Parallel pool;
    private Kernels k;
    private float[] x, y, dy, dx, gamma, beta, dgamma, dbeta, mean, rstd, ffn, ffnOut, dffn, scores, probs, dscores;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new Parallel(threads);
        k = impl.equals("simd") ? new SimdKernels(pool) : new ScalarKernels(pool);
        SplittableRandom r = new SplittableRandom(3);
        int n = tokens * HIDDEN;
        x = GemmBench.random(r, n);
        dy = GemmBench.random(r, n);
        y = new float[n];
        dx = new float[n];
        gamma = GemmBench.random(r, HIDDEN);
        beta = GemmBench.random(r, HIDDEN);
        dgamma = new float[HIDDEN];
        dbeta = new float[HIDDEN];
        mean = new float[tokens];
        rstd = new float[tokens];
        ffn = GemmBench.random(r, tokens * FFN);
        ffnOut = new float[tokens * FFN];
        dffn = GemmBench.random(r, tokens * FFN);
        scores = GemmBench.random(r, HEADS * tokens * seq);
        probs = scores.clone();
        k.softmaxForward(probs, 0, HEADS * tokens, seq, seq, 0.125f);
        dscores = new float[scores.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float layerNormForward() {
        k.layerNormForward(x, 0, gamma, beta, y, 0, mean, rstd, 0, tokens, HIDDEN, 1e-12f);
        return y[0];
    }

    @Benchmark
    public float layerNormBackward() {
        k.layerNormBackward(dy, 0, x, 0, mean, rstd, 0, gamma, dx, 0, dgamma, dbeta, tokens, HIDDEN);
        return dx[0];
    }

    @Benchmark
    public float geluForward() {
        k.geluForward(ffn, 0, ffnOut, 0, tokens * FFN);
        return ffnOut[0];
    }

    @Benchmark
    public float geluBackward() {
        k.geluBackward(ffn, 0, dffn, 0, ffnOut, 0, tokens * FFN);
        return ffnOut[0];
    }

    @Benchmark
    public float softmaxForward() {
        System.arraycopy(scores, 0, dscores, 0, scores.length);
        k.softmaxForward(dscores, 0, HEADS * tokens, seq, seq, 0.125f);
        return dscores[0];
    }

    @Benchmark
    public float softmaxBackward() {
        k.softmaxBackward(probs, 0, scores, 0, dscores, 0, HEADS * tokens, seq, seq, 0.125f);
        return dscores[0];
    }

    @Benchmark
    public float dropout() {
        k.dropout(x, 0, y, 0, tokens * HIDDEN, 0.1f, 42, 12345);
        return y[0];
    }

    @Benchmark
    public float tanhForward() {
        k.tanhForward(x, 0, y, 0, tokens * HIDDEN);
        return y[0];
    }

    @Benchmark
    public float reluBackward() {
        k.reluBackward(x, 0, dy, 0, dx, 0, tokens * HIDDEN);
        return dx[0];
    }

    @Benchmark
    public float addResidual() {
        k.add(x, 0, dy, 0, y, 0, tokens * HIDDEN);
        return y[0];
    }

    @Benchmark
    public float axpy() {
        k.axpy(0.5f, x, 0, y, 0, tokens * HIDDEN);
        return y[0];
    }

    @Benchmark
    public double sumSquares() {
        return k.sumSquares(ffn, 0, tokens * FFN);
    }
}
