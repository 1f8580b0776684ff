package distilj.model;

import java.util.Arrays;

/**
 * One trainable tensor: its Hugging Face name (e.g. {@code distilbert.transformer.layer.0.attention.q_lin.weight}),
 * its shape, its values and its gradient, both flat row-major float[] of the same length. Weights are
 * {@code [out, in]} as in PyTorch's Linear, so a checkpoint's bytes map onto {@link #data} unchanged.
 *
 * <p>{@link #decay} says whether AdamW's weight decay applies: every tensor except biases and LayerNorm parameters
 * (the Trainer's rule; embedding matrices do decay).
 */
public final class Param {
    public final String name;
    public final int[] shape;
    public final float[] data;
    public final float[] grad;
    public final boolean decay;

    public Param(String name, boolean decay, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + ": too large " + Arrays.toString(shape));
        this.data = new float[(int) n];
        this.grad = new float[(int) n];
        this.decay = decay;
    }

    public int size() {
        return data.length;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
