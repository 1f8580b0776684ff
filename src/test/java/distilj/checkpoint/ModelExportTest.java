package distilj.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.model.ModelConfig;
import distilj.model.Param;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved folders load back identically here; scripts/check_export.py proves transformers loads them too
 * (run this test with -Ddistilj.exportTo=DIR to produce the folders it checks).
 */
class ModelExportTest {
    @TempDir Path dir;

    /** Where to put the folders for the Python check, or the temp dir. */
    Path out() throws IOException {
        String p = System.getProperty("distilj.exportTo");
        if (p == null || p.isBlank()) return dir;
        Path o = Path.of(p);
        Files.createDirectories(o);
        return o;
    }

    /** Values Python can recompute: param k (in layout order), element i = sin(0.37 i + k) / 8. */
    static void fillFormula(List<Param> params) {
        for (int k = 0; k < params.size(); k++) {
            float[] d = params.get(k).data;
            for (int i = 0; i < d.length; i++) d[i] = (float) (Math.sin(0.37 * i + k) / 8);
        }
    }

    @Test
    void tinyDistilbertRoundTrips() throws IOException {
        ModelConfig c = CheckpointLoaderTest.tinyDistilbert();
        c.numLabels = 3;
        c.labels = new String[] {"neg", "mixed", "pos"};
        List<Param> a = ParamLayout.params(c);
        fillFormula(a);
        Path target = out().resolve("distilbert-tiny");
        deleteTree(target);
        ModelExport.save(target, c, a, null);
        ModelConfig back = HfConfig.read(target);
        assertArrayEquals(c.labels, back.labels);
        List<Param> b = ParamLayout.params(back);
        LoadReport r = CheckpointLoader.load(target, b);
        assertEquals(List.of(), r.unused);
        assertEquals(List.of(), r.newlyInitialized);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data, b.get(i).data, a.get(i).name);
        try (SafeTensors st = SafeTensors.open(target.resolve("model.safetensors"))) {
            assertEquals("pt", st.metadata().get("format"));
            assertEquals(0, st.dataStart() % 8);
        }
        assertNoTempLeft(target.getParent());
    }

    @Test
    void miniLmClassifierRoundTripsWithTokenizerFiles() throws IOException {
        Path src = TestPaths.minilm();
        ModelConfig c = HfConfig.read(src);
        c.labels = new String[] {"neg", "pos"};
        List<Param> a = ParamLayout.params(c);
        CheckpointLoader.load(src, a);
        fillFormula(a.subList(a.size() - 2, a.size())); // the head: classifier.weight is k=0, bias k=1
        Path target = out().resolve("minilm-cls");
        deleteTree(target);
        ModelExport.save(target, c, a, src);
        for (String f : List.of("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(target.resolve(f)), f);
        }
        List<Param> b = ParamLayout.params(HfConfig.read(target));
        LoadReport r = CheckpointLoader.load(target, b);
        assertEquals(List.of(), r.newlyInitialized);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data, b.get(i).data, a.get(i).name);
    }

    @Test
    void anExistingFolderKeepsItsOtherFiles() throws IOException {
        ModelConfig c = CheckpointLoaderTest.tinyDistilbert();
        Path target = dir.resolve("run");
        Files.createDirectories(target.resolve("checkpoint-500"));
        Files.writeString(target.resolve("notes.txt"), "mine");
        List<Param> a = ParamLayout.params(c);
        fillFormula(a);
        ModelExport.save(target, c, a, null);
        ModelExport.save(target, c, a, null); // replacing works too
        assertEquals("mine", Files.readString(target.resolve("notes.txt")));
        assertTrue(Files.isDirectory(target.resolve("checkpoint-500")));
        assertTrue(Files.isRegularFile(target.resolve("model.safetensors")));
        try (Stream<Path> s = Files.list(target)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(List.of("checkpoint-500", "config.json", "model.safetensors", "notes.txt"), names);
        }
    }

    @Test
    void aFailedSaveLeavesNothing() throws IOException {
        ModelConfig c = CheckpointLoaderTest.tinyDistilbert();
        List<Param> a = new java.util.ArrayList<>(ParamLayout.params(c));
        a.add(new Param("__metadata__", false, 1)); // the writer refuses this name, after the folder was begun
        Path target = dir.resolve("never");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ModelExport.save(target, c, a, null));
        assertTrue(!Files.exists(target), "no half-written model folder");
        assertNoTempLeft(dir);
    }

    static void assertNoTempLeft(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            List<String> hidden = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).collect(Collectors.toList());
            assertEquals(List.of(), hidden, "no temporary folder or file left");
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) Files.delete(p);
        }
    }
}
