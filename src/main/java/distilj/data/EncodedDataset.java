package distilj.data;

import distilj.tokenizer.BertTokenizer;
import distilj.tokenizer.IntList;
import java.util.List;

/**
 * A dataset turned into token ids once, up front: the ids of all rows back to back in {@code tokens}, row r being
 * {@code tokens[offsets[r] .. offsets[r+1])} ([CLS] ... [SEP], truncated to the tokenizer's max length), and one label
 * per row. Batches are gathered from here without tokenizing again.
 */
public final class EncodedDataset {
    private final int[] tokens;
    private final int[] offsets; // rows + 1
    private final int[] labels;
    private final List<String> labelNames;
    private final int padId;

    public EncodedDataset(int[] tokens, int[] offsets, int[] labels, List<String> labelNames, int padId) {
        if (offsets.length != labels.length + 1 || offsets[0] != 0 || offsets[labels.length] != tokens.length) {
            throw new IllegalArgumentException("offsets must be rows + 1 long, from 0 to the token count");
        }
        this.tokens = tokens;
        this.offsets = offsets;
        this.labels = labels;
        this.labelNames = List.copyOf(labelNames);
        this.padId = padId;
    }

    public static EncodedDataset encode(Dataset data, BertTokenizer tokenizer) {
        return encode(data, tokenizer, tokenizer.maxLength());
    }

    /** Every row encoded, with at most {@code maxLength} ids (the model's positions), keeping the final [SEP]. */
    public static EncodedDataset encode(Dataset data, BertTokenizer tokenizer, int maxLength) {
        int n = data.size();
        int[] offsets = new int[n + 1], labels = new int[n];
        IntList all = new IntList(n * 32);
        for (int r = 0; r < n; r++) {
            int[] ids = tokenizer.encode(data.get(r).text(), maxLength);
            for (int id : ids) all.add(id);
            offsets[r + 1] = all.size();
            labels[r] = data.get(r).label();
        }
        return new EncodedDataset(all.toArray(), offsets, labels, data.labelNames(), tokenizer.padId());
    }

    public int rows() {
        return labels.length;
    }

    public int length(int row) {
        return offsets[row + 1] - offsets[row];
    }

    /** The ids of one row (a copy). */
    public int[] ids(int row) {
        return java.util.Arrays.copyOfRange(tokens, offsets[row], offsets[row + 1]);
    }

    public int label(int row) {
        return labels[row];
    }

    public List<String> labelNames() {
        return labelNames;
    }

    public int padId() {
        return padId;
    }

    /** All labels (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The ids of every row as its own array ({@code [rows][length]}), for consumers that want rows apart. */
    public int[][] rowArrays() {
        int[][] out = new int[rows()][];
        for (int r = 0; r < out.length; r++) out[r] = ids(r);
        return out;
    }

    public long totalTokens() {
        return tokens.length;
    }

    /** The rows {@code order[from, to)} as one packed batch, in that order. */
    public Batch gather(int[] order, int from, int to) {
        int rows = to - from, count = 0;
        for (int i = from; i < to; i++) count += length(order[i]);
        int[] ids = new int[count], off = new int[rows + 1], lab = new int[rows], index = new int[rows];
        for (int i = 0; i < rows; i++) {
            int r = order[from + i], len = length(r);
            System.arraycopy(tokens, offsets[r], ids, off[i], len);
            off[i + 1] = off[i] + len;
            lab[i] = labels[r];
            index[i] = r;
        }
        return new Batch(ids, off, rows, lab, index, padId);
    }
}
