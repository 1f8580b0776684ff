package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import distilj.checkpoint.HfConfig;
import distilj.model.ModelConfig;
import distilj.model.Param;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download command against a hub imitation on 127.0.0.1 (never the network): LFS files are redirected to a
 * "CDN" path with the sha256 in X-Linked-Etag on the redirect, as the hub does; Range requests are honoured.
 */
class DownloadCommandTest {
    @TempDir Path dir;
    HttpServer server;
    String endpoint;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Cut the next N transfers of model.safetensors half way. */
    final AtomicInteger cutModel = new AtomicInteger();
    volatile boolean corrupt;
    /** Send half of model.safetensors, then nothing for 60 s. */
    volatile boolean stall;
    /** Send model.safetensors in 15 pieces, 200 ms apart. */
    volatile boolean slow;
    byte[] model;
    java.util.concurrent.ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        ModelConfig c = new ModelConfig();
        c.hidden = 16;
        c.heads = 2;
        c.layers = 2;
        c.ffn = 32;
        c.vocabSize = 1000;
        c.maxPositions = 64;
        List<Param> ps = ParamLayout.params(c);
        Random rnd = new Random(5);
        Map<String, SafeTensorsWriter.Tensor> t = new LinkedHashMap<>();
        for (Param p : ps) {
            if (p.name.startsWith("classifier") || p.name.startsWith("pre_classifier")) continue;
            for (int i = 0; i < p.size(); i++) p.data[i] = (float) rnd.nextGaussian();
            t.put(p.name.substring("distilbert.".length()), new SafeTensorsWriter.Tensor(p.shape, p.data));
        }
        Path mf = dir.resolve("src.safetensors");
        SafeTensorsWriter.write(mf, Map.of("format", "pt"), t);
        model = Files.readAllBytes(mf);
        Path cf = dir.resolve("src-config.json");
        HfConfig.write(c, cf);
        files.put("config.json", Files.readAllBytes(cf));
        files.put("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer_config.json", "{\"do_lower_case\": true}".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", model);

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        pool = java.util.concurrent.Executors.newCachedThreadPool();
        server.setExecutor(pool); // handlers off the dispatcher thread, so a sleeping one cannot block stop()
        server.start();
        endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow(); // wakes a stalling handler
        server.stop(0);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String prefix = "/org/tiny-model/resolve/main/";
            if (path.startsWith(prefix)) {
                String name = path.substring(prefix.length());
                byte[] body = files.get(name);
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                if (name.endsWith(".safetensors")) { // LFS: redirect, sha256 on the redirect
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(body) + "\"");
                    ex.getResponseHeaders().add("Location", "/cdn/" + name);
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                ex.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef01234567\""); // git sha1: not checked
                send(ex, body, false);
            } else if (path.startsWith("/cdn/")) {
                byte[] body = files.get(path.substring(5)).clone();
                if (corrupt) body[body.length / 2] ^= 1;
                ex.getResponseHeaders().add("ETag", "\"cdn-etag-1\"");
                send(ex, body, cutModel.getAndDecrement() > 0);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            ex.close();
        }
    }

    void send(HttpExchange ex, byte[] body, boolean cut) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            ranges.add(range);
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            if (from >= body.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        OutputStream o = ex.getResponseBody();
        if (slow && body.length > 1000) {
            int n = body.length - from, step = n / 15 + 1;
            for (int at = from; at < body.length; at += step) {
                o.write(body, at, Math.min(step, body.length - at));
                o.flush();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            return;
        }
        if (stall && body.length > 1000) {
            o.write(body, from, (body.length - from) / 2);
            o.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("test: stalled");
        }
        if (cut) {
            o.write(body, from, (body.length - from) / 2);
            o.flush();
            // Abort mid-body: the client sees the connection end before Content-Length bytes.
            throw new IOException("test: connection cut");
        }
        o.write(body, from, body.length - from);
    }

    CliTest.Run download(Path out, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "download";
        args[1] = "org/tiny-model";
        args[2] = "--endpoint=" + endpoint;
        args[3] = "--output=" + out;
        System.arraycopy(extra, 0, args, 4, extra.length);
        return new CliTest.Run(args);
    }

    @Test
    void downloadsVerifiesAndRenames() throws Exception {
        Path out = dir.resolve("m");
        CliTest.Run r = download(out);
        assertEquals(0, r.code, r.err);
        for (String f : List.of("config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors")) {
            assertArrayEquals(files.get(f), Files.readAllBytes(out.resolve(f)), f);
        }
        assertTrue(r.out.contains("model.safetensors: sha256 verified"), r.out);
        assertTrue(r.out.contains("special_tokens_map.json: not in this repository, skipped"), r.out);
        try (var s = Files.list(out)) {
            assertFalse(s.anyMatch(p -> p.toString().endsWith(".part")), "no partial file left");
        }
        CliTest.Run info = new CliTest.Run("info", out.toString());
        assertEquals(0, info.code, info.err);
        assertTrue(info.out.contains("newly initialized: ['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias']"), info.out);
        CliTest.Run again = download(out);
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("model.safetensors: already present"), again.out);
    }

    @Test
    void anInterruptedTransferResumesWithRange() throws Exception {
        Path out = dir.resolve("m");
        cutModel.set(1);
        CliTest.Run first = download(out);
        assertEquals(1, first.code, first.out);
        assertTrue(first.err.startsWith("error: model.safetensors: transfer"), first.err);
        assertTrue(first.err.contains("run the same command again to resume"), first.err);
        assertFalse(Files.exists(out.resolve("model.safetensors")), "no half file under the final name");
        long partial = Files.size(out.resolve("model.safetensors.part"));
        assertTrue(partial > 0 && partial < model.length, "partial " + partial);

        CliTest.Run second = download(out);
        assertEquals(0, second.code, second.err);
        assertTrue(second.out.contains("resuming at byte " + partial), second.out);
        assertEquals(List.of("bytes=" + partial + "-"), ranges);
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("model.safetensors.part")));
    }

    @Test
    void aSlowTransferLongerThanTheTimeoutCompletes() throws Exception {
        Path out = dir.resolve("m");
        slow = true;
        CliTest.Run r = download(out, "--timeout=1"); // 3 s in all, never 1 s without data
        assertEquals(0, r.code, r.err);
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void aStalledServerCannotHangTheDownload() throws Exception {
        Path out = dir.resolve("m");
        stall = true;
        // the server would stall for 60 s: the command must give up after about 1 s (bound generously: a hang test)
        CliTest.Run r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> download(out, "--timeout=1"));
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: model.safetensors: transfer interrupted after "), r.err);
        assertTrue(r.err.contains("no data for 1 s"), r.err);
        assertTrue(Files.size(out.resolve("model.safetensors.part")) > 0, "what arrived is kept for the resume");
    }

    @Test
    void aCompletePartFromAnEarlierRunIsCheckedNotFetchedAgain() throws Exception {
        Path out = dir.resolve("m");
        Files.createDirectories(out);
        Files.write(out.resolve("model.safetensors.part"), model);
        CliTest.Run r = download(out);
        assertEquals(0, r.code, r.err);
        assertEquals(List.of("bytes=" + model.length + "-"), ranges);
        assertTrue(r.out.contains("model.safetensors: sha256 verified"), r.out);
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void aCorruptTransferIsRejectedAndRemoved() {
        Path out = dir.resolve("m");
        corrupt = true;
        CliTest.Run r = download(out);
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: model.safetensors: checksum mismatch"), r.err);
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("model.safetensors.part")));
    }

    @Test
    void notFoundSaysCheckTheId() {
        Path out = dir.resolve("m");
        CliTest.Run r = new CliTest.Run("download", "org/no-such-model", "--endpoint=" + endpoint, "--output=" + out);
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: " + endpoint + "/org/no-such-model/resolve/main/config.json: not found (is the model id right?"), r.err);
        assertFalse(Files.exists(out), "nothing created");
    }

    @Test
    void unreachableHubSaysWhatToDoInstead() throws Exception {
        // a port on loopback that nobody listens on
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliTest.Run r = new CliTest.Run("download", "org/tiny-model", "--endpoint=http://127.0.0.1:" + port,
                "--output=" + dir.resolve("m"));
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: cannot reach http://127.0.0.1:" + port), r.err);
        assertTrue(r.err.contains("weights/fetch-minilm.sh"), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Test
    void badModelIdIsAUsageError() {
        CliTest.Run r = new CliTest.Run("download", "../../etc", "--endpoint=" + endpoint);
        assertEquals(2, r.code, r.err);
    }
}
