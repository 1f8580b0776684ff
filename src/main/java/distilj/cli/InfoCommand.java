package distilj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.model.ModelConfig;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensors;
import distilj.safetensors.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        if (Files.isDirectory(path)) {
            Path cj = path.resolve("config.json");
            if (Files.exists(cj)) {
                config = HfConfig.read(cj);
                var arch = new ObjectMapper().readTree(cj.toFile()).get("architectures");
                if (arch != null && arch.isArray() && arch.size() > 0) architecture = arch.get(0).asText();
            }
        }
        ObjectNode j = new ObjectMapper().createObjectNode();
        j.put("path", path.toString());
        ArrayNode files = j.putArray("files");
        long params = 0, bytes = 0;
        int count = 0;
        Map<String, Long> byType = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (Path f : CheckpointLoader.weightFiles(path)) {
            try (SafeTensors st = SafeTensors.open(f)) {
                ObjectNode fj = files.addObject();
                fj.put("file", f.toString());
                fj.put("bytes", st.fileSize());
                fj.set("metadata", new ObjectMapper().valueToTree(st.metadata()));
                ArrayNode tj = fj.putArray("tensors");
                text.append(String.format("%s: %,d bytes, %d tensors, metadata %s%n", f, st.fileSize(), st.tensors().size(), st.metadata()));
                int w = 4;
                for (String n : st.tensors().keySet()) w = Math.max(w, n.length());
                text.append(String.format("  %-" + w + "s  %-5s  %-16s  %s%n", "name", "dtype", "shape", "bytes"));
                for (TensorInfo t : new TreeMap<>(st.tensors()).values()) {
                    text.append(String.format("  %-" + w + "s  %-5s  %-16s  %,d%n", t.name, t.dtype, t.shapeString(), t.bytes()));
                    ObjectNode e = tj.addObject();
                    e.put("name", t.name);
                    e.put("dtype", t.dtype.name());
                    ArrayNode sh = e.putArray("shape");
                    for (long d : t.shape) sh.add(d);
                    e.put("bytes", t.bytes());
                    count++;
                    bytes += t.bytes();
                    if (t.dtype.isFloat()) params += t.elements();
                    byType.merge(t.dtype.name(), t.elements(), Long::sum);
                }
            }
        }
        j.put("tensors", count);
        j.put("parameters", params);
        j.put("tensor_bytes", bytes);
        text.append(String.format("%d tensors, %,d parameters (float tensors), %,d bytes of data; elements by dtype %s%n",
                count, params, bytes, byType));
        if (config != null) {
            ModelConfig c = config;
            String summary = String.format("%s%s: %d layers, hidden %d, %d heads of %d, FFN %d, vocab %d, %d positions%s, "
                            + "%d labels %s, dropout %.2g/%.2g/%.2g",
                    c.arch == ModelConfig.Arch.BERT ? "bert" : "distilbert",
                    architecture == null ? "" : " (" + architecture + ")", c.layers, c.hidden, c.heads, c.headSize(),
                    c.ffn, c.vocabSize, c.maxPositions, c.typeVocabSize > 0 ? ", " + c.typeVocabSize + " token types" : "",
                    c.numLabels, java.util.Arrays.toString(c.labels), c.hiddenDropout, c.attentionDropout, c.classifierDropout);
            text.append("config: ").append(summary).append('\n');
            j.put("config", summary);
            String cls = c.arch == ModelConfig.Arch.BERT ? "BertForSequenceClassification" : "DistilBertForSequenceClassification";
            LoadReport r = CheckpointLoader.plan(path, ParamLayout.specs(c));
            text.append("loading as ").append(cls).append(":\n").append(r.format(cls).replaceAll("(?m)^", "  "));
            ObjectNode lj = j.putObject("load_as_" + cls);
            lj.set("loaded", new ObjectMapper().valueToTree(r.loaded.size()));
            lj.set("unused", new ObjectMapper().valueToTree(r.unused));
            lj.set("newly_initialized", new ObjectMapper().valueToTree(r.newlyInitialized));
            lj.set("skipped_buffers", new ObjectMapper().valueToTree(r.skippedBuffers));
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(j));
        } else {
            out.print(text);
        }
        out.flush();
        return 0;
    }

}
