package distilj.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a user's labelled texts from CSV, TSV or JSON Lines.
 *
 * <ul>
 *   <li>CSV and TSV: a header row naming the columns, then one record per row. Quoting as RFC 4180: a field that
 *   starts with {@code "} runs to the next lone {@code "} (a doubled {@code ""} is a quote) and may hold delimiters and
 *   line breaks. A quote inside an unquoted field is an ordinary character. Every record must have as many fields
 *   as the header.</li>
 *   <li>JSON Lines: one JSON object per line; the text a string, the label a string or an integer.</li>
 * </ul>
 * Blank lines are not rows and are passed over; a leading byte-order mark is ignored.
 *
 * <p>Labels: if every label is a non-negative integer ({@code 0}, {@code 1}, ...), it is the label id itself and the names are
 * "0" .. "K-1" (K = largest + 1); otherwise labels are names, and ids follow their sorted order
 * ({@link String#compareTo}: "neg" &lt; "pos", "negative" &lt; "neutral" &lt; "positive"), so the same label set gives the
 * same ids whatever the order of the rows. A file read to evaluate (validation, test) uses the names of the training
 * file: any other label is an error.
 *
 * <p>Every bad row is an error naming the file and line, never a skipped row: a missing column or field, an empty
 * text or label, an unknown label, bytes that are not valid in the encoding (UTF-8 unless told otherwise).
 */
public final class TabularReader {
    public enum Format {
        CSV, TSV, JSONL;

        /** From the file name: .csv, .tsv/.tab, .jsonl/.ndjson/.json. */
        public static Format of(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".csv")) return CSV;
            if (n.endsWith(".tsv") || n.endsWith(".tab")) return TSV;
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) return JSONL;
            throw new IllegalArgumentException(file + ": cannot tell the format from the name (.csv, .tsv, .jsonl); give --format");
        }
    }

    /** Where the text and the label are: column names (CSV/TSV header, JSON keys). */
    public record Columns(String text, String label) {
        public static final Columns DEFAULT = new Columns("text", "label");
    }

    private TabularReader() {
    }

    /** Reads a training file: label names are found in the file. */
    public static Dataset read(Path file, Format format, Columns columns, Charset encoding) throws IOException {
        return read(file, format, columns, encoding, null);
    }

    /**
     * Reads a file; with {@code labelNames} (those of the training file), each label must be one of them.
     */
    public static Dataset read(Path file, Format format, Columns columns, Charset encoding, List<String> labelNames)
            throws IOException {
        return read(file, format, columns, encoding, labelNames, false);
    }

    /**
     * Reads a file to evaluate a model whose labels are {@code modelLabels} (its id2label): a label is one of those
     * names or, failing that, an integer id {@code 0 .. K-1} (a data set saved with ids while the model says
     * "LABEL_0", "neg", ...). Any other label is an error naming the file and line.
     */
    public static Dataset readForModel(Path file, Format format, Columns columns, Charset encoding,
                                       List<String> modelLabels) throws IOException {
        return read(file, format, columns, encoding, modelLabels, true);
    }

    private static Dataset read(Path file, Format format, Columns columns, Charset encoding, List<String> labelNames,
                                boolean idsToo) throws IOException {
        String text = decode(file, encoding);
        List<Row> rows = format == Format.JSONL ? jsonLines(file, text, columns) : delimited(file, text, columns,
                format == Format.CSV ? ',' : '\t');
        if (rows.isEmpty()) throw new IOException(file + ": no rows");
        List<String> names = labelNames != null ? labelNames : labelNames(rows);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < names.size(); i++) ids.put(names.get(i), i);
        List<Example> examples = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Integer id = ids.get(r.label);
            if (id == null && idsToo && r.label.matches("0|[1-9][0-9]{0,8}") && Integer.parseInt(r.label) < names.size()) {
                id = Integer.parseInt(r.label);
            }
            if (id == null) {
                throw new IOException(file + ":" + r.line + ": unknown label '" + r.label + "' (known: " + String.join(", ", names)
                        + (idsToo ? "; or an id 0.." + (names.size() - 1) : "") + ")");
            }
            examples.add(new Example(r.text, id));
        }
        return new Dataset(file.getFileName().toString(), examples, names);
    }

    /** One record: its text, its label as written, and the line it starts on. */
    private record Row(String text, String label, int line) {
    }

    /** All-integer labels are ids ("0".."max"); otherwise the sorted distinct names. */
    private static List<String> labelNames(List<Row> rows) throws IOException {
        boolean ints = true;
        int max = -1;
        for (Row r : rows) {
            if (!r.label.matches("0|[1-9][0-9]{0,8}")) {
                ints = false;
                break;
            }
            max = Math.max(max, Integer.parseInt(r.label));
        }
        List<String> names = new ArrayList<>();
        if (ints) {
            for (int i = 0; i <= max; i++) names.add(Integer.toString(i));
        } else {
            names.addAll(new TreeSet<>(rows.stream().map(Row::label).toList()));
        }
        if (names.size() < 2) throw new IOException("only one label (" + names + ") in the data: a classifier needs two or more");
        return names;
    }

    /** Decodes the whole file strictly; a bad byte is reported with its line (counted in the text decoded so far). */
    static String decode(Path file, Charset encoding) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder d = encoding.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, (long) (bytes.length * (double) d.maxCharsPerByte()) + 16));
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) r = d.flush(out);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < out.position(); i++) if (out.get(i) == '\n') line++;
            throw new IOException(file + ":" + line + ": bytes that are not valid " + encoding.name()
                    + " (at byte " + in.position() + "); give the right --encoding");
        }
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static List<Row> jsonLines(Path file, String text, Columns c) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        int line = 0;
        for (String l : text.split("\r?\n|\r", -1)) {
            line++;
            if (l.isBlank()) continue;
            JsonNode o;
            try {
                o = json.readTree(l);
            } catch (JsonProcessingException e) {
                throw new IOException(file + ":" + line + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            if (o == null || !o.isObject()) throw new IOException(file + ":" + line + ": not a JSON object");
            JsonNode t = o.get(c.text()), lab = o.get(c.label());
            if (t == null || t.isNull()) throw new IOException(file + ":" + line + ": no \"" + c.text() + "\" (the text column; see --text-column)");
            if (!t.isTextual()) throw new IOException(file + ":" + line + ": \"" + c.text() + "\" is not a string");
            if (lab == null || lab.isNull()) throw new IOException(file + ":" + line + ": no \"" + c.label() + "\" (the label column; see --label-column)");
            String label;
            if (lab.isTextual()) label = lab.textValue();
            else if (lab.isIntegralNumber()) label = lab.asText();
            else throw new IOException(file + ":" + line + ": label " + lab + " is neither a string nor an integer");
            rows.add(row(file, line, t.textValue(), label));
        }
        return rows;
    }

    private static Row row(Path file, int line, String text, String label) throws IOException {
        if (text.isBlank()) throw new IOException(file + ":" + line + ": empty text");
        if (label.isBlank()) throw new IOException(file + ":" + line + ": empty label");
        return new Row(text, label.strip(), line);
    }

    private static List<Row> delimited(Path file, String text, Columns c, char sep) throws IOException {
        DelimitedParser p = new DelimitedParser(file, text, sep);
        List<String> header = p.next();
        if (header == null) throw new IOException(file + ": empty file (expected a header row)");
        int ti = header.indexOf(c.text()), li = header.indexOf(c.label());
        for (int i = 0; i < header.size(); i++) {
            if (header.indexOf(header.get(i)) != i) throw new IOException(file + ":" + p.recordLine() + ": column '" + header.get(i) + "' appears twice in the header");
        }
        if (ti < 0) throw new IOException(file + ":" + p.recordLine() + ": no column '" + c.text() + "' in the header " + header + " (see --text-column)");
        if (li < 0) throw new IOException(file + ":" + p.recordLine() + ": no column '" + c.label() + "' in the header " + header + " (see --label-column)");
        List<Row> rows = new ArrayList<>();
        List<String> f;
        while ((f = p.next()) != null) {
            if (f.size() != header.size()) {
                throw new IOException(file + ":" + p.recordLine() + ": " + f.size() + " fields where the header has " + header.size()
                        + (f.size() < header.size() ? " (missing column)" : "") + "");
            }
            rows.add(row(file, p.recordLine(), f.get(ti), f.get(li)));
        }
        return rows;
    }

    /** RFC 4180 records, with the line each starts on. Blank lines are passed over. */
    static final class DelimitedParser {
        private final Path file;
        private final String s;
        private final char sep;
        private int pos, line = 1, recordLine;

        DelimitedParser(Path file, String s, char sep) {
            this.file = file;
            this.s = s;
            this.sep = sep;
        }

        int recordLine() {
            return recordLine;
        }

        /** The next record's fields, or null at the end. */
        List<String> next() throws IOException {
            while (pos < s.length() && (s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) newline(); // blank lines
            if (pos >= s.length()) return null;
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            while (true) {
                if (pos < s.length() && s.charAt(pos) == '"') {
                    int start = line;
                    pos++;
                    while (true) {
                        if (pos >= s.length()) throw new IOException(file + ":" + start + ": a quoted field is never closed");
                        char ch = s.charAt(pos);
                        if (ch == '"') {
                            if (pos + 1 < s.length() && s.charAt(pos + 1) == '"') {
                                f.append('"');
                                pos += 2;
                                continue;
                            }
                            pos++;
                            break;
                        }
                        if (ch == '\n' || (ch == '\r')) {
                            // a line break inside quotes is part of the field (as "\n")
                            f.append('\n');
                            newline();
                            continue;
                        }
                        f.append(ch);
                        pos++;
                    }
                    if (pos < s.length() && s.charAt(pos) != sep && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                        throw new IOException(file + ":" + line + ": unexpected '" + s.charAt(pos) + "' after a closing quote");
                    }
                } else {
                    while (pos < s.length()) {
                        char ch = s.charAt(pos);
                        if (ch == sep || ch == '\n' || ch == '\r') break;
                        f.append(ch);
                        pos++;
                    }
                }
                fields.add(f.toString());
                f.setLength(0);
                if (pos >= s.length()) return fields;
                if (s.charAt(pos) == sep) {
                    pos++;
                    continue;
                }
                newline();
                return fields;
            }
        }

        /** Consumes one line break (\n, \r\n or \r). */
        private void newline() {
            if (s.charAt(pos) == '\r' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') pos++;
            pos++;
            line++;
        }
    }

    /** The charset for an --encoding name (UTF-8 when null). */
    public static Charset charset(String name) {
        if (name == null) return StandardCharsets.UTF_8;
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown encoding '" + name + "' (e.g. UTF-8, ISO-8859-1, windows-1252, UTF-16)");
        }
    }
}
