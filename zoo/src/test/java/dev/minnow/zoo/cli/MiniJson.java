package dev.minnow.zoo.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * JSON checks for tests: {@link JsonReader} parses strictly, and {@link #pythonAccepts} asks
 * Python's json module as a second, independent opinion.
 */
final class MiniJson {
    private MiniJson() {
    }

    static Object parse(String text) {
        return JsonReader.parse(text);
    }

    static Map<String, Object> parseObject(String text) {
        return JsonReader.parseObject(text);
    }

    /** True when /usr/bin/python3's json.loads accepts the text; null when there is no such python. */
    static Boolean pythonAccepts(String text) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            return null;
        }
        Process p = new ProcessBuilder(python.toString(), "-c", "import json,sys; json.load(sys.stdin)")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python did not finish");
        }
        return p.exitValue() == 0;
    }
}
