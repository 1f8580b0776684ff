package distilj.model;

import distilj.kernels.DropoutRng;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An independent double-precision forward of every layer, written with plain loops straight from the formulas
 * (not from the float code), for the finite-difference tests. Parameters are read from double copies
 * ({@link #w}), which the tests perturb.
 */
final class Ref64 {
    final Map<Param, double[]> w = new IdentityHashMap<>();

    double[] of(Param p) {
        return w.computeIfAbsent(p, q -> {
            double[] d = new double[q.size()];
            for (int i = 0; i < d.length; i++) d[i] = q.data[i];
            return d;
        });
    }

    static double[] toDouble(float[] x, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = x[i];
        return d;
    }

    // y[M, out] = x[M, in]·Wᵀ + b
    double[] linear(double[] x, int M, Linear l) {
        double[] W = of(l.weight), b = of(l.bias), y = new double[M * l.out];
        for (int m = 0; m < M; m++) {
            for (int o = 0; o < l.out; o++) {
                double s = b[o];
                for (int i = 0; i < l.in; i++) s += x[m * l.in + i] * W[o * l.in + i];
                y[m * l.out + o] = s;
            }
        }
        return y;
    }

    double[] layerNorm(double[] x, int T, LayerNorm ln) {
        int D = ln.dim;
        double[] g = of(ln.gamma), b = of(ln.beta), y = new double[T * D];
        for (int t = 0; t < T; t++) {
            double mu = 0, var = 0;
            for (int j = 0; j < D; j++) mu += x[t * D + j];
            mu /= D;
            for (int j = 0; j < D; j++) var += (x[t * D + j] - mu) * (x[t * D + j] - mu);
            var /= D;
            for (int j = 0; j < D; j++) y[t * D + j] = (x[t * D + j] - mu) / Math.sqrt(var + ln.eps) * g[j] + b[j];
        }
        return y;
    }

    static double[] dropout(double[] x, int off, int n, double p, long seed, long counter, boolean on) {
        if (!on || p == 0) return x;
        for (int i = 0; i < n; i++) {
            x[off + i] = DropoutRng.keep(seed, counter + i, (float) p) ? x[off + i] / (1 - p) : 0;
        }
        return x;
    }

    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2)));
        return y;
    }

    /** erf in double: Maclaurin series for |x| < 3, Lentz continued fraction of erfc beyond; both ~1e-13. */
    static double erf(double x) {
        double z = Math.abs(x);
        double r;
        if (z < 3) {
            double term = z, sum = z;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(z) = exp(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …))))
            double f = z;
            for (int n = 60; n >= 1; n--) f = z + (n / 2.0) / f;
            r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    double[] embeddings(int[] ids, PackedBatch b, Embeddings e, boolean training, long seed) {
        int H = e.hidden;
        double[] word = of(e.word), pos = of(e.position), x = new double[b.tokens * H];
        double[] type = e.tokenType == null ? null : of(e.tokenType);
        for (int r = 0; r < b.rows; r++) {
            for (int p = 0; p < b.length(r); p++) {
                int t = b.start(r) + p;
                for (int j = 0; j < H; j++) {
                    x[t * H + j] = word[ids[t] * H + j] + pos[p * H + j] + (type == null ? 0 : type[j]);
                }
            }
        }
        double[] y = layerNorm(x, b.tokens, e.norm);
        return dropout(y, 0, y.length, e.dropoutP, seed, DropoutSite.counter(DropoutSite.EMBEDDINGS, 0), training);
    }

    /** Full attention over every token ([T, H]); for a clsOnly module, the callers gather the first tokens. */
    double[] attention(double[] x, PackedBatch b, Attention a, boolean training, long seed) {
        int T = b.tokens, H = a.hidden, d = a.headSize;
        double[] q = linear(x, T, a.query), k = linear(x, T, a.key), v = linear(x, T, a.value);
        double[] ctx = new double[T * H];
        for (int r = 0; r < b.rows; r++) {
            int L = b.length(r), s0 = b.start(r);
            for (int h = 0; h < a.heads; h++) {
                double[] P = new double[L * L];
                for (int i = 0; i < L; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < L; j++) {
                        double s = 0;
                        for (int c = 0; c < d; c++) s += q[(s0 + i) * H + h * d + c] * k[(s0 + j) * H + h * d + c];
                        P[i * L + j] = s / Math.sqrt(d);
                        max = Math.max(max, P[i * L + j]);
                    }
                    double z = 0;
                    for (int j = 0; j < L; j++) z += P[i * L + j] = Math.exp(P[i * L + j] - max);
                    for (int j = 0; j < L; j++) P[i * L + j] /= z;
                }
                dropout(P, 0, L * L, a.dropoutP, seed, DropoutSite.counter(a.site, b.scoreOffset(r, h)), training);
                for (int i = 0; i < L; i++) {
                    for (int c = 0; c < d; c++) {
                        double s = 0;
                        for (int j = 0; j < L; j++) s += P[i * L + j] * v[(s0 + j) * H + h * d + c];
                        ctx[(s0 + i) * H + h * d + c] = s;
                    }
                }
            }
        }
        return linear(ctx, T, a.output);
    }

    double[] ffn(double[] x, int T, FeedForward f) {
        return linear(gelu(linear(x, T, f.up)), T, f.down);
    }

    double[] layer(double[] x, PackedBatch b, EncoderLayer l, boolean training, long seed) {
        int n = b.tokens * l.hidden;
        double[] r1 = attention(x, b, l.attention, training, seed);
        dropout(r1, 0, n, l.attnOutDropout, seed, DropoutSite.counter(DropoutSite.attentionOutput(l.layer), 0), training);
        for (int i = 0; i < n; i++) r1[i] += x[i];
        double[] a = layerNorm(r1, b.tokens, l.norm1);
        double[] r2 = ffn(a, b.tokens, l.ffn);
        dropout(r2, 0, n, l.ffnDropout, seed, DropoutSite.counter(DropoutSite.ffnOutput(l.layer), 0), training);
        for (int i = 0; i < n; i++) r2[i] += a[i];
        double[] y = layerNorm(r2, b.tokens, l.norm2);
        return l.clsOnly ? firstTokens(y, b, l.hidden) : y;
    }

    /** Rows' first tokens of a [T, H] array: [rows, H]. */
    static double[] firstTokens(double[] x, PackedBatch b, int H) {
        double[] c = new double[b.rows * H];
        for (int r = 0; r < b.rows; r++) System.arraycopy(x, b.start(r) * H, c, r * H, H);
        return c;
    }

    static double[] firstTokens(double[] x, PackedBatch b, int H, boolean on) {
        return on ? firstTokens(x, b, H) : x;
    }

    double[] head(double[] cls, PackedBatch b, ClassifierHead h, boolean training, long seed) {
        double[] z = linear(cls, b.rows, h.dense);
        for (int i = 0; i < z.length; i++) z[i] = h.tanh ? Math.tanh(z[i]) : Math.max(0, z[i]);
        dropout(z, 0, z.length, h.dropoutP, seed, DropoutSite.counter(DropoutSite.HEAD, 0), training);
        return linear(z, b.rows, h.classifier);
    }

    static double crossEntropy(double[] logits, int rows, int C, int[] labels) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int c = 0; c < C; c++) max = Math.max(max, logits[r * C + c]);
            for (int c = 0; c < C; c++) z += Math.exp(logits[r * C + c] - max);
            loss += max + Math.log(z) - logits[r * C + labels[r]];
        }
        return loss / rows;
    }

    double model(int[] ids, PackedBatch b, EncoderClassifier m, int[] labels, boolean training, long seed) {
        double[] h = embeddings(ids, b, m.embeddings, training, seed);
        for (EncoderLayer l : m.layers) h = layer(h, b, l, training, seed);
        return crossEntropy(head(h, b, m.head, training, seed), b.rows, m.config().numLabels, labels);
    }
}
