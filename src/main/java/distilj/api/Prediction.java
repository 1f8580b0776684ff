package distilj.api;

/**
 * The class a model gives one text: the label (from the model's id2label) and its id, the probability of that label
 * (softmax of the logits), and the raw logits, one per label.
 */
public record Prediction(String label, int labelId, double score, float[] logits) {
    public Prediction {
        logits = logits.clone();
    }

    @Override
    public float[] logits() {
        return logits.clone();
    }

    /**
     * softmax(logits) in double: {@code p_c = exp(z_c − max z) / Σ_k exp(z_k − max z)} (the max subtracted so that no
     * exp overflows).
     */
    public double[] probabilities() {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        for (int c = 0; c < p.length; c++) z += p[c] = Math.exp(logits[c] - max);
        for (int c = 0; c < p.length; c++) p[c] /= z;
        return p;
    }

    @Override
    public String toString() {
        return label + " (" + String.format(java.util.Locale.ROOT, "%.4f", score) + ")";
    }
}
