package distilj.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.data.TabularReader.Columns;
import distilj.data.TabularReader.Format;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static Dataset read(Path p) throws IOException {
        return TabularReader.read(p, Format.of(p), Columns.DEFAULT, StandardCharsets.UTF_8);
    }

    private static String error(Path p, Columns c) {
        return assertThrows(IOException.class, () -> TabularReader.read(p, Format.of(p), c, StandardCharsets.UTF_8)).getMessage();
    }

    private static String error(Path p) {
        return error(p, Columns.DEFAULT);
    }

    @Test
    void csvWithQuotesCommasAndLineBreaks() throws IOException {
        Path p = write("a.csv", "\uFEFFid,text,label\r\n1,plain text,pos\r\n2,\"with, comma and \"\"quotes\"\"\",neg\n\n"
                + "3,\"two\nlines\",pos\n4,it's 5\" tall,neg");
        Dataset d = read(p);
        assertEquals(List.of("neg", "pos"), d.labelNames());
        assertEquals(4, d.size());
        assertEquals(new Example("plain text", 1), d.get(0));
        assertEquals(new Example("with, comma and \"quotes\"", 0), d.get(1));
        assertEquals(new Example("two\nlines", 1), d.get(2));
        assertEquals(new Example("it's 5\" tall", 0), d.get(3));
    }

    @Test
    void tsvWithOtherColumnNamesAndIntLabels() throws IOException {
        Path p = write("a.tsv", "label\tsentence\n2\tgreat\n0\tbad\n1\tmeh\n");
        Dataset d = TabularReader.read(p, Format.TSV, new Columns("sentence", "label"), StandardCharsets.UTF_8);
        assertEquals(List.of("0", "1", "2"), d.labelNames());
        assertEquals(List.of(new Example("great", 2), new Example("bad", 0), new Example("meh", 1)), d.examples());
    }

    @Test
    void jsonLinesWithStringLabelsInSortedOrder() throws IOException {
        Path p = write("a.jsonl", "{\"text\": \"good\", \"label\": \"positive\"}\n\n{\"text\": \"so so\", \"label\": \"neutral\"}\n"
                + "{\"text\": \"awful\", \"label\": \"negative\", \"extra\": 1}\n");
        Dataset d = read(p);
        assertEquals(List.of("negative", "neutral", "positive"), d.labelNames());
        assertEquals(List.of(2, 1, 0), d.examples().stream().map(Example::label).toList());
        // the same labels in another order give the same ids
        Path q = write("b.jsonl", "{\"text\": \"awful\", \"label\": \"negative\"}\n{\"text\": \"good\", \"label\": \"positive\"}\n"
                + "{\"text\": \"so so\", \"label\": \"neutral\"}");
        assertEquals(d.labelNames(), read(q).labelNames());
    }

    @Test
    void jsonIntegerLabels() throws IOException {
        Dataset d = read(write("a.jsonl", "{\"text\":\"x\",\"label\":1}\n{\"text\":\"y\",\"label\":0}\n"));
        assertEquals(List.of("0", "1"), d.labelNames());
        assertEquals(1, d.get(0).label());
    }

    @Test
    void evaluationFileUsesTheTrainingLabelsAndRejectsOthers() throws IOException {
        Path p = write("test.csv", "text,label\nok,pos\nhmm,meh\n");
        Dataset d = TabularReader.read(write("v.csv", "text,label\nok,pos\n"), Format.CSV, Columns.DEFAULT,
                StandardCharsets.UTF_8, List.of("neg", "pos"));
        assertEquals(List.of(new Example("ok", 1)), d.examples());
        IOException e = assertThrows(IOException.class, () -> TabularReader.read(p, Format.CSV, Columns.DEFAULT,
                StandardCharsets.UTF_8, List.of("neg", "pos")));
        assertEquals(p + ":3: unknown label 'meh' (known: neg, pos)", e.getMessage());
    }

    @Test
    void badRowsNameFileAndLine() throws IOException {
        Path noCol = write("nocol.csv", "sentence,label\nx,1\n");
        assertTrue(error(noCol).startsWith(noCol + ":1: no column 'text' in the header [sentence, label]"), error(noCol));
        Path noLabel = write("nolabel.csv", "text,label\nx,1\ny,0\nz\n");
        assertEquals(noLabel + ":4: 1 fields where the header has 2 (missing column)", error(noLabel));
        Path empty = write("empty.tsv", "text\tlabel\nx\t1\n\t0\n");
        assertEquals(empty + ":3: empty text", error(empty));
        Path emptyLabel = write("el.csv", "text,label\nx,1\ny,\n");
        assertEquals(emptyLabel + ":3: empty label", error(emptyLabel));
        Path unclosed = write("q.csv", "text,label\nx,1\n\"never closed,0\ny,1\n");
        assertEquals(unclosed + ":3: a quoted field is never closed", error(unclosed));
        Path afterQuote = write("aq.csv", "text,label\n\"x\"y,1\n");
        assertEquals(afterQuote + ":2: unexpected 'y' after a closing quote", error(afterQuote));
        Path json = write("j.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"txt\":\"b\",\"label\":0}\n");
        assertEquals(json + ":2: no \"text\" (the text column; see --text-column)", error(json));
        Path notJson = write("n.jsonl", "{\"text\":\"a\",\"label\":1}\n\n{oops\n");
        assertTrue(error(notJson).startsWith(notJson + ":3: not JSON"), error(notJson));
        Path floatLabel = write("f.jsonl", "{\"text\":\"a\",\"label\":1.5}\n");
        assertEquals(floatLabel + ":1: label 1.5 is neither a string nor an integer", error(floatLabel));
        Path one = write("one.csv", "text,label\na,x\nb,x\n");
        assertTrue(error(one).contains("only one label"), error(one));
    }

    @Test
    void undecodableBytesAreAnErrorWithTheLine() throws IOException {
        byte[] latin1 = "text,label\ngood,1\ncaf\u00e9,0\n".getBytes(StandardCharsets.ISO_8859_1);
        Path p = write("l.csv", latin1);
        assertEquals(p + ":3: bytes that are not valid UTF-8 (at byte 21); give the right --encoding", error(p));
        Dataset d = TabularReader.read(p, Format.CSV, Columns.DEFAULT, TabularReader.charset("ISO-8859-1"));
        assertEquals("café", d.get(1).text());
    }

    @Test
    void formatFromName() {
        assertEquals(Format.CSV, Format.of(Path.of("x.CSV")));
        assertEquals(Format.TSV, Format.of(Path.of("x.tsv")));
        assertEquals(Format.JSONL, Format.of(Path.of("x.jsonl")));
        assertThrows(IllegalArgumentException.class, () -> Format.of(Path.of("x.txt")));
        assertThrows(IllegalArgumentException.class, () -> TabularReader.charset("no-such-charset"));
    }
}
