package distilj.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.model.ModelConfig;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensors;
import distilj.safetensors.TensorInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distilj info FILE_OR_DIR}: what a safetensors file or model folder holds — the tensor table (name, dtype,
 * shape, bytes), parameter count, metadata, the config.json summary, and what loading it as a classifier would
 * report. The file is fully validated first; a malformed one is an {@code error:} line and exit code 1.
 * Rows are printed as they go (a hostile header may list a million tensors).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the tensors, parameter count, metadata and config of a safetensors file or model folder.")
public final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE_OR_DIR", description = "a .safetensors file or a model folder (config.json + model.safetensors)")
    Path path;

    @Option(names = "--json", description = "print the same information as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig config = null;
        String architecture = null;
        if (Files.isDirectory(path) && Files.exists(path.resolve("config.json"))) {
            Path cj = path.resolve("config.json");
            config = HfConfig.read(cj);
            var arch = new ObjectMapper().readTree(cj.toFile()).get("architectures");
            if (arch != null && arch.isArray() && arch.size() > 0) architecture = arch.get(0).asText();
        }
        JsonGenerator g = json ? new JsonFactory().createGenerator(out).useDefaultPrettyPrinter() : null;
        if (g != null) {
            g.writeStartObject();
            g.writeStringField("path", path.toString());
            g.writeArrayFieldStart("files");
        }
        long params = 0, bytes = 0, count = 0;
        Map<String, Long> byType = new TreeMap<>();
        for (Path f : CheckpointLoader.weightFiles(path)) {
            try (SafeTensors st = SafeTensors.open(f)) {
                List<String> names = new ArrayList<>(st.tensors().keySet());
                names.sort(null);
                int w = 4;
                for (String n : names) w = Math.min(Math.max(w, n.length()), 80);
                if (g != null) {
                    g.writeStartObject();
                    g.writeStringField("file", f.toString());
                    g.writeNumberField("bytes", st.fileSize());
                    g.writeObjectFieldStart("metadata");
                    for (Map.Entry<String, String> e : st.metadata().entrySet()) g.writeStringField(e.getKey(), e.getValue());
                    g.writeEndObject();
                    g.writeArrayFieldStart("tensors");
                } else {
                    out.printf("%s: %,d bytes, %d tensors, metadata %s%n", f, st.fileSize(), names.size(), st.metadata());
                    out.printf("  %-" + w + "s  %-5s  %-16s  %s%n", "name", "dtype", "shape", "bytes");
                }
                for (String n : names) {
                    TensorInfo t = st.tensors().get(n);
                    if (g != null) {
                        g.writeStartObject();
                        g.writeStringField("name", t.name);
                        g.writeStringField("dtype", t.dtype.name());
                        g.writeFieldName("shape");
                        g.writeArray(t.shape, 0, t.shape.length);
                        g.writeNumberField("bytes", t.bytes());
                        g.writeEndObject();
                    } else {
                        out.printf("  %-" + w + "s  %-5s  %-16s  %,d%n", t.name, t.dtype, t.shapeString(), t.bytes());
                    }
                    count++;
                    bytes += t.bytes();
                    if (t.dtype.isFloat()) params += t.elements();
                    byType.merge(t.dtype.name(), t.elements(), Long::sum);
                }
                if (g != null) {
                    g.writeEndArray();
                    g.writeEndObject();
                }
            }
        }
        if (g != null) {
            g.writeEndArray();
            g.writeNumberField("tensors", count);
            g.writeNumberField("parameters", params);
            g.writeNumberField("tensor_bytes", bytes);
        } else {
            out.printf("%d tensors, %,d parameters (float tensors), %,d bytes of data; elements by dtype %s%n",
                    count, params, bytes, byType);
        }
        if (config != null) describeConfig(out, g, config, architecture);
        if (g != null) {
            g.writeEndObject();
            g.flush();
            out.println();
        }
        out.flush();
        return 0;
    }

    private void describeConfig(PrintWriter out, JsonGenerator g, ModelConfig c, String architecture) throws IOException {
        String summary = String.format("%s%s: %d layers, hidden %d, %d heads of %d, FFN %d, vocab %d, %d positions%s, "
                        + "%d labels %s, dropout %.2g/%.2g/%.2g",
                c.arch == ModelConfig.Arch.BERT ? "bert" : "distilbert",
                architecture == null ? "" : " (" + architecture + ")", c.layers, c.hidden, c.heads, c.headSize(),
                c.ffn, c.vocabSize, c.maxPositions, c.typeVocabSize > 0 ? ", " + c.typeVocabSize + " token types" : "",
                c.numLabels, Arrays.toString(c.labels), c.hiddenDropout, c.attentionDropout, c.classifierDropout);
        String cls = c.arch == ModelConfig.Arch.BERT ? "BertForSequenceClassification" : "DistilBertForSequenceClassification";
        LoadReport r = CheckpointLoader.plan(path, ParamLayout.specs(c));
        if (g == null) {
            out.println("config: " + summary);
            out.print("loading as " + cls + ":\n" + r.format(cls).replaceAll("(?m)^", "  "));
            return;
        }
        g.writeStringField("config", summary);
        g.writeObjectFieldStart("load_as_" + cls);
        g.writeNumberField("loaded", r.loaded.size());
        stringArray(g, "unused", r.unused);
        stringArray(g, "newly_initialized", r.newlyInitialized);
        stringArray(g, "skipped_buffers", r.skippedBuffers);
        g.writeEndObject();
    }

    private static void stringArray(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}
