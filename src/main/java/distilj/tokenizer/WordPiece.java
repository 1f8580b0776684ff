package distilj.tokenizer;

import java.util.Arrays;

/**
 * WordPiece: a word becomes the longest vocabulary token that starts it, then the longest {@code ##}-token that
 * continues from there, and so on (greedy, left to right). If some part cannot be matched, or the word is longer
 * than 100 code points, the whole word becomes {@code [UNK]}. "tokenized" → "token", "##ized".
 *
 * <p>The vocabulary is a trie stored in one open-addressing hash table from (node, next char) to the child node.
 * Walking the word from a start position visits one node per char and remembers the last node that ends a token:
 * the longest match, found in a single pass, without creating a substring. Continuation pieces need no second trie:
 * their walk starts from the node reached by "##".
 */
final class WordPiece {
    static final int MAX_CHARS_PER_WORD = 100;
    private static final long EMPTY = -1L;

    private final int unkId;
    private final int continuationRoot; // node of "##", or -1 if no token starts with it
    private int[] tokenAt = new int[1024]; // node → token id, or -1
    private int nodes = 1;                 // node 0 is the root (the empty string)
    private long[] keys;                   // (node << 16 | char), EMPTY if the slot is free
    private int[] children;
    private final int mask;

    WordPiece(Vocab vocab, int unkId) {
        this.unkId = unkId;
        long chars = 0;
        for (int id = 0; id < vocab.size(); id++) chars += vocab.token(id).length();
        int capacity = Integer.highestOneBit((int) Math.max(16, chars * 2)) * 2; // load factor ≤ 1/2
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        children = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(tokenAt, -1);
        for (int id = 0; id < vocab.size(); id++) {
            String t = vocab.token(id);
            if (t.isEmpty()) continue;
            int node = 0;
            for (int i = 0; i < t.length(); i++) node = childOrAdd(node, t.charAt(i));
            tokenAt[node] = id; // a repeated token keeps its last id, like the reference's vocab dict
        }
        int hash = child(0, '#');
        continuationRoot = hash < 0 ? -1 : child(hash, '#');
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** The child of {@code node} along char {@code ch}, or -1. */
    private int child(int node, char ch) {
        long key = ((long) node << 16) | ch;
        for (int s = slot(key, mask); ; s = (s + 1) & mask) {
            long k = keys[s];
            if (k == key) return children[s];
            if (k == EMPTY) return -1;
        }
    }

    private int childOrAdd(int node, char ch) {
        long key = ((long) node << 16) | ch;
        int s = slot(key, mask);
        for (; keys[s] != EMPTY; s = (s + 1) & mask) if (keys[s] == key) return children[s];
        if (nodes == tokenAt.length) {
            int old = tokenAt.length;
            tokenAt = Arrays.copyOf(tokenAt, old * 2);
            Arrays.fill(tokenAt, old, tokenAt.length, -1);
        }
        keys[s] = key;
        children[s] = nodes;
        return nodes++;
    }

    /** Appends the ids of the word {@code w[0, length)} ({@code codePoints} long) to {@code out}. */
    void encode(char[] w, int length, int codePoints, IntList out) {
        if (codePoints > MAX_CHARS_PER_WORD) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        for (int start = 0; start < length; ) {
            int node = start == 0 ? 0 : continuationRoot;
            int bestEnd = -1, bestId = -1;
            for (int i = start; i < length && node >= 0; i++) {
                node = child(node, w[i]);
                if (node >= 0 && tokenAt[node] >= 0) {
                    bestEnd = i + 1;
                    bestId = tokenAt[node];
                }
            }
            // (A match cannot end between the two halves of a surrogate pair: tokens are well-formed strings.)
            if (bestId < 0) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(bestId);
            start = bestEnd;
        }
    }
}
