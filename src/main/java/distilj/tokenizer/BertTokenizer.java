package distilj.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The BERT tokenizer (BertTokenizerFast's behaviour): text → {@code [CLS] word pieces [SEP]}, truncated to the
 * model's maximum length.
 *
 * <p>Steps: (1) the special tokens ([CLS], [SEP], [PAD], [UNK], [MASK]) written literally in the text are matched
 * first, on the raw text, and kept as they are (as Hugging Face does for its "added tokens"); (2) each stretch between
 * them goes through {@link BasicTokenizer} (clean, CJK, lowercase, accents, whitespace and punctuation split) and
 * (3) each word through {@link WordPiece}; (4) truncation keeps the first {@code maxLength − 2} pieces, and [CLS]/[SEP]
 * are added.
 *
 * <p>Configured from a model folder: {@code vocab.txt} and, if present, {@code tokenizer_config.json}
 * ({@code do_lower_case}, default true; {@code strip_accents}, default = do_lower_case; {@code tokenize_chinese_chars},
 * default true; {@code model_max_length}, default and cap 512 — the positions a BERT model has; the special-token
 * names). Immutable and thread-safe.
 */
public final class BertTokenizer {
    public static final int DEFAULT_MAX_LENGTH = 512;

    private final Vocab vocab;
    private final BasicTokenizer basic;
    private final WordPiece wordPiece;
    private final int maxLength;
    private final int clsId, sepId, padId, unkId;
    private final String[] specials;  // literal special tokens matched in the raw text
    private final int[] specialIds;
    private final String specialFirstChars; // the first char of each special token
    private final boolean lowercase;

    public BertTokenizer(Vocab vocab, boolean lowercase, boolean stripAccents, boolean chineseChars, int maxLength,
                         String cls, String sep, String pad, String unk, String mask) {
        if (maxLength < 2) throw new IllegalArgumentException("max length " + maxLength + " leaves no room for [CLS] and [SEP]");
        this.vocab = vocab;
        this.lowercase = lowercase;
        this.basic = new BasicTokenizer(lowercase, stripAccents, chineseChars);
        this.maxLength = maxLength;
        this.clsId = require(vocab, cls);
        this.sepId = require(vocab, sep);
        this.unkId = require(vocab, unk);
        this.padId = vocab.id(pad) >= 0 ? vocab.id(pad) : 0;
        this.wordPiece = new WordPiece(vocab, unkId);
        List<String> sp = new ArrayList<>();
        for (String s : new String[] {pad, unk, cls, sep, mask}) {
            if (s != null && !s.isEmpty() && vocab.id(s) >= 0 && !sp.contains(s)) sp.add(s);
        }
        specials = sp.toArray(new String[0]);
        StringBuilder first = new StringBuilder();
        for (String s : specials) if (first.indexOf(s.substring(0, 1)) < 0) first.append(s.charAt(0));
        specialFirstChars = first.toString();
        specialIds = sp.stream().mapToInt(vocab::id).toArray();
    }

    /** The uncased defaults (bert-base-uncased, distilbert-base-uncased, all-MiniLM-L6-v2). */
    public static BertTokenizer uncased(Vocab vocab) {
        return new BertTokenizer(vocab, true, true, true, DEFAULT_MAX_LENGTH, "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]");
    }

    private static int require(Vocab vocab, String token) {
        int id = vocab.id(token);
        if (id < 0) throw new IllegalArgumentException("special token " + token + " is not in the vocabulary");
        return id;
    }

    /** Loads {@code dir/vocab.txt} and, when present, {@code dir/tokenizer_config.json}. */
    public static BertTokenizer load(Path dir) throws IOException {
        Path vocabFile = dir.resolve("vocab.txt");
        if (!Files.isRegularFile(vocabFile)) throw new IOException(dir + ": no vocab.txt in this folder");
        Vocab vocab = Vocab.load(vocabFile);
        Path configFile = dir.resolve("tokenizer_config.json");
        JsonNode c = null;
        if (Files.isRegularFile(configFile)) {
            try {
                c = new ObjectMapper().readTree(configFile.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(configFile + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
            }
            if (c == null || !c.isObject()) throw new IOException(configFile + ": not a JSON object");
        }
        boolean lower = bool(c, "do_lower_case", true, configFile);
        boolean strip = bool(c, "strip_accents", lower, configFile);
        boolean chinese = bool(c, "tokenize_chinese_chars", true, configFile);
        int max = DEFAULT_MAX_LENGTH;
        if (c != null && c.hasNonNull("model_max_length")) {
            JsonNode m = c.get("model_max_length");
            if (!m.isNumber() || m.asDouble() < 2) throw new IOException(configFile + ": model_max_length must be a number >= 2, not " + m);
            // Hugging Face writes a huge number for "no limit"; a BERT model has 512 positions in any case.
            max = (int) Math.min(m.asDouble(), DEFAULT_MAX_LENGTH);
        }
        try {
            return new BertTokenizer(vocab, lower, strip, chinese, max,
                    token(c, "cls_token", "[CLS]"), token(c, "sep_token", "[SEP]"), token(c, "pad_token", "[PAD]"),
                    token(c, "unk_token", "[UNK]"), token(c, "mask_token", "[MASK]"));
        } catch (IllegalArgumentException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(JsonNode c, String key, boolean dflt, Path file) throws IOException {
        if (c == null || !c.hasNonNull(key)) return dflt;
        JsonNode v = c.get(key);
        if (!v.isBoolean()) throw new IOException(file + ": " + key + " must be true, false or null, not " + v);
        return v.booleanValue();
    }

    /** A special token given as a string or as {"content": "..."}. */
    private static String token(JsonNode c, String key, String dflt) {
        if (c == null || !c.hasNonNull(key)) return dflt;
        JsonNode v = c.get(key);
        if (v.isTextual()) return v.textValue();
        if (v.hasNonNull("content")) return v.get("content").asText();
        return dflt;
    }

    public Vocab vocab() { return vocab; }
    public int maxLength() { return maxLength; }
    public int clsId() { return clsId; }
    public int sepId() { return sepId; }
    public int padId() { return padId; }
    public int unkId() { return unkId; }
    public boolean lowercase() { return lowercase; }

    /**
     * {@link #encode(String)} cut further to at most {@code limit} ids (e.g. a model's max_position_embeddings when it
     * is below the tokenizer's own limit), keeping the final [SEP] as truncation does.
     */
    public int[] encode(String text, int limit) {
        if (limit < 2) throw new IllegalArgumentException("limit " + limit + " leaves no room for [CLS] and [SEP]");
        int[] ids = encode(text);
        if (ids.length <= limit) return ids;
        int[] cut = java.util.Arrays.copyOf(ids, limit);
        cut[limit - 1] = ids[ids.length - 1];
        return cut;
    }

    /** {@code [CLS] pieces [SEP]}, the pieces truncated to {@code maxLength − 2}. */
    public int[] encode(String text) {
        IntList out = new IntList();
        out.add(clsId);
        appendPieces(text, out);
        out.truncate(maxLength - 1);
        out.add(sepId);
        return out.toArray();
    }

    /**
     * {@code [CLS] a [SEP] b [SEP]}, truncated "longest first" to {@code maxLength} as the reference does: if both
     * do not fit, the shorter keeps its length if it fits in half, the longer gets the rest; otherwise each gets half
     * (the second the odd one).
     */
    public int[] encodePair(String a, String b) {
        IntList pa = new IntList(), pb = new IntList();
        appendPieces(a, pa);
        appendPieces(b, pb);
        int room = maxLength - 3;
        int n1 = pa.size(), n2 = pb.size();
        if (n1 + n2 > room) {
            boolean swap = n1 > n2;
            int s = Math.min(n1, n2), l;   // s = the shorter, l = the longer
            l = s > room ? s : Math.max(s, room - s);
            if (s + l > room) {
                s = room / 2;
                l = s + room % 2;
            }
            n1 = swap ? l : s;
            n2 = swap ? s : l;
            pa.truncate(n1);
            pb.truncate(n2);
        }
        IntList out = new IntList(pa.size() + pb.size() + 3);
        out.add(clsId);
        for (int i = 0; i < pa.size(); i++) out.add(pa.get(i));
        out.add(sepId);
        for (int i = 0; i < pb.size(); i++) out.add(pb.get(i));
        out.add(sepId);
        return out.toArray();
    }

    /** The word pieces of a text as strings (no [CLS]/[SEP], no truncation), like Hugging Face's {@code tokenize}. */
    public List<String> tokenize(String text) {
        IntList ids = new IntList();
        appendPieces(text, ids);
        List<String> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) out.add(vocab.token(ids.get(i)));
        return out;
    }

    /** Appends the ids of the pieces of {@code text} to {@code out}: no special tokens added, no truncation. */
    public void appendPieces(String text, IntList out) {
        BasicTokenizer.Word word = new BasicTokenizer.Word();
        BasicTokenizer.WordSink sink = (chars, length, codePoints) -> wordPiece.encode(chars, length, codePoints, out);
        int from = 0, n = text.length();
        for (int i = 0; i < n; i++) {
            if (specialFirstChars.indexOf(text.charAt(i)) < 0) continue; // ('[' for BERT)
            int k = special(text, i);
            if (k < 0) continue;
            basic.split(text, from, i, word, sink);
            out.add(specialIds[k]);
            i += specials[k].length() - 1;
            from = i + 1;
        }
        basic.split(text, from, n, word, sink);
    }

    /** The longest special token written at {@code text[i...]}, or -1. */
    private int special(String text, int i) {
        int best = -1;
        for (int k = 0; k < specials.length; k++) {
            if (text.startsWith(specials[k], i) && (best < 0 || specials[k].length() > specials[best].length())) best = k;
        }
        return best;
    }
}
