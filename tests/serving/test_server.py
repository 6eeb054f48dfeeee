"""`kclassics serve` as a real process on a free port, spoken to over HTTP as a TF Serving client would.

One server process serves every model of this module (the tests share it, in
file order); the last test stops it with SIGTERM while a request is in flight.
"""

import base64
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import threading
import time

import numpy as np
import pytest

from tests.serving.conftest import Server

MAX_BODY = 1_000_000


@pytest.fixture(scope="module")
def server(exports):
    server = Server(
        "--config", exports["root"] / "models.config", "--enable-batching", "--max-batch-size", 8,
        "--batch-timeout-micros", 20000, "--poll-seconds", 0.2, "--max-body-bytes", MAX_BODY,
    )
    try:
        yield server.wait_ready("mnist", "autoencoder", "half_plus_three", "text", "polled")
    finally:
        server.stop()


def without_kserve(status_body):
    return {k: v for k, v in status_body.items() if k not in ("name", "ready")}


# Golden: the request and response bodies of TF Serving's REST API document (api_rest.md, its half_plus_three example).


def test_golden_status(server):
    status, body = server.get("/v1/models/half_plus_three")
    assert status == 200
    assert without_kserve(body) == {
        "model_version_status": [{"version": "123", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]
    }
    assert (body["name"], body["ready"]) == ("half_plus_three", True)  # KServe V1's model-ready fields


def test_golden_predict_row_and_columnar(server):
    assert server.post("/v1/models/half_plus_three:predict", {"instances": [1.0, 2.0, 5.0]}) == (200, {"predictions": [3.5, 4.0, 5.5]})
    assert server.post("/v1/models/half_plus_three:predict", {"inputs": [1.0, 2.0, 5.0]}) == (200, {"outputs": [3.5, 4.0, 5.5]})
    # One named input may also be spelled as objects (row) or an object (columnar).
    assert server.post("/v1/models/half_plus_three:predict", {"instances": [{"x": 1.0}, {"x": 2.0}]}) == (200, {"predictions": [3.5, 4.0]})
    assert server.post("/v1/models/half_plus_three:predict", {"inputs": {"x": [5.0]}}) == (200, {"outputs": [5.5]})


def test_golden_regress(server):
    body = {"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x": 2.0}]}
    assert server.post("/v1/models/half_plus_three:regress", body) == (200, {"results": [3.5, 4.0]})


def test_golden_error(server):
    assert server.post("/v1/models/half:predict", {"instances": [1.0, 5.0]}) == (
        404, {"error": "Servable not found for request: Latest(half)"},
    )


def test_golden_metadata(server):
    status, body = server.get("/v1/models/half_plus_three/metadata")
    assert status == 200
    assert body["model_spec"] == {"name": "half_plus_three", "signature_name": "", "version": "123"}
    signatures = body["metadata"]["signature_def"]["signature_def"]
    assert sorted(signatures) == ["serving_default", "tensorflow/serving/regress"]
    vector = {"dim": [{"size": "-1", "name": ""}], "unknown_rank": False}
    assert signatures["serving_default"] == {
        "inputs": {"x": {"dtype": "DT_FLOAT", "tensor_shape": vector, "name": "serving_default_x:0"}},
        "outputs": {"y": {"dtype": "DT_FLOAT", "tensor_shape": vector, "name": "StatefulPartitionedCall:0"}},
        "method_name": "tensorflow/serving/predict",
        "defaults": {},
    }
    assert signatures["tensorflow/serving/regress"]["inputs"]["inputs"]["dtype"] == "DT_STRING"


def test_golden_classify(server):
    # The shape of api_rest.md's classify request (a context shared by the examples) and of its response.
    body = {"signature_name": "classify", "context": {}, "examples": [{"height": 1.2}, {"height": 2.2}]}
    status, response = server.post("/v1/models/text:classify", body)
    assert status == 200
    tall = 1 / (1 + np.exp(-(np.array([1.2, 2.2]) - 1.7)))
    assert [[label for label, _ in row] for row in response["results"]] == [["short", "tall"]] * 2
    np.testing.assert_allclose([[score for _, score in row] for row in response["results"]], np.stack([1 - tall, tall], 1), atol=1e-6)


def test_status_versions_labels_and_kserve_list(server):
    assert server.get("/v1/models") == (200, {"models": ["autoencoder", "half_plus_three", "mnist", "polled", "text"]})
    assert server.get("/v1/models/half_plus_three/versions/123")[1]["model_version_status"][0]["version"] == "123"
    assert server.get("/v1/models/half_plus_three/labels/stable")[1]["ready"] is True
    assert server.post("/v1/models/half_plus_three/labels/stable:predict", {"instances": [0.0]}) == (200, {"predictions": [3.0]})
    assert server.post("/v1/models/half_plus_three/versions/123:predict", {"instances": [2.0]}) == (200, {"predictions": [4.0]})
    assert server.get("/v1/models/half_plus_three/versions/123/metadata")[0] == 200


def test_image_classifier_export_matches_the_model(server, exports):
    x = np.random.default_rng(1).random((3, 28, 28, 1), dtype=np.float32)
    status, body = server.post("/v1/models/mnist:predict", {"instances": x.tolist()})
    assert status == 200
    expected = exports["classifier"].predict(x, verbose=0)
    np.testing.assert_allclose([row["probabilities"] for row in body["predictions"]], expected, atol=1e-6)
    assert [row["classes"] for row in body["predictions"]] == expected.argmax(-1).tolist()
    status, body = server.post("/v1/models/mnist:predict", {"inputs": {"images": x.tolist()}})
    assert sorted(body["outputs"]) == ["classes", "probabilities"]


def test_encoded_images_in_b64_batched(server, exports):
    """TF Serving's image clients: PNG bytes as {"b64": ...} to the encoded-image signature, merged by the batcher."""
    import tensorflow as tf

    pixels = (np.random.default_rng(4).random((6, 28, 28, 1)) * 255).astype(np.uint8)
    bodies = [
        {"signature_name": "predict_images", "instances": [{"b64": base64.b64encode(tf.io.encode_png(p).numpy()).decode()}]}
        for p in pixels
    ]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda body: server.post("/v1/models/mnist:predict", body), bodies))
    assert all(status == 200 for status, _ in answers), answers
    expected = exports["classifier"].predict(pixels.astype(np.float32) / 255.0, verbose=0)
    np.testing.assert_allclose([body["predictions"][0]["probabilities"] for _, body in answers], expected, atol=1e-6)
    status, body = server.post("/v1/models/mnist:predict", {"signature_name": "predict_images", "instances": [{"b64": "bm90IGFuIGltYWdl"}]})
    assert status == 400 and "image" in body["error"].lower(), body  # "not an image": TensorFlow's decode error, as 400


def test_reconstruction_export(server, exports):
    x = np.random.default_rng(2).random((2, 16), dtype=np.float32)
    status, body = server.post("/v1/models/autoencoder:predict", {"inputs": x.tolist()})
    assert status == 200
    model = exports["autoencoder"]
    np.testing.assert_allclose(body["outputs"]["hidden"], model.encode(x), atol=1e-5)
    np.testing.assert_allclose(body["outputs"]["reconstruction"], model(x, training=False), atol=1e-5)


def test_strings_b64_and_several_outputs(server):
    instances = [{"text": "héllo", "scale": 2.0}, {"text": {"b64": base64.b64encode(b"ab").decode()}, "scale": 0.5}]
    status, body = server.post("/v1/models/text:predict", {"instances": instances})
    assert status == 200
    assert body["predictions"] == [
        {"length": 6, "upper": "HéLLO", "raw_bytes": {"b64": base64.b64encode("héllo".encode() + b"\xff").decode()}, "scaled": 12.0},
        {"length": 2, "upper": "AB", "raw_bytes": {"b64": base64.b64encode(b"ab\xff").decode()}, "scaled": 1.0},
    ]
    status, body = server.post("/v1/models/text:predict", {"inputs": {"text": ["a", "bcd"], "scale": [1.0, 1.0]}})
    assert (status, body["outputs"]["length"], body["outputs"]["scaled"]) == (200, [1, 3], [1.0, 3.0])
    # NaN is a float value TF Serving's JSON accepts (its JSON conformance section), and is written back as NaN.
    status, raw = server.post("/v1/models/text:predict", raw=b'{"inputs": {"text": ["a"], "scale": [NaN]}}')
    assert status == 200 and np.isnan(raw["outputs"]["scaled"][0])


def test_regress_on_named_inputs(server):
    body = {"signature_name": "bmi", "context": {"height": 2.0}, "examples": [{"weight": 80.0}, {"weight": 100}]}
    assert server.post("/v1/models/text:regress", body) == (200, {"results": [20.0, 25.0]})


BAD_REQUESTS = [
    # (path, raw body, status, fragment of the error)
    ("/v1/models/half_plus_three:predict", b'{"instances": [1,', 400, "Malformed JSON"),
    ("/v1/models/half_plus_three:predict", b"", 400, "empty"),
    ("/v1/models/half_plus_three:predict", b"\xff\xfe", 400, "not UTF-8"),
    ("/v1/models/half_plus_three:predict", b"[1, 2]", 400, "must be a JSON object"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [1.0], "inputs": [1.0]}', 400, "not both"),
    ("/v1/models/half_plus_three:predict", b'{"signature_name": "serving_default"}', 400, "Missing 'instances'"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [1.0], "extra": 1}', 400, "Unknown key(s) in the request body: extra"),
    ("/v1/models/half_plus_three:predict", b'{"instances": 5}', 400, "non-empty list"),
    ("/v1/models/half_plus_three:predict", b'{"instances": []}', 400, "non-empty list"),
    ("/v1/models/half_plus_three:predict", b'{"instances": ["a", "b"]}', 400, "Input 'x' expects float32 numbers. Received: 'a'"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [true]}', 400, "Input 'x' expects float32 numbers. Received: a boolean"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [[1.0]]}', 400, "Input 'x' expects float32 [-1]. Received: shape [1, 1]"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [{"b64": "AAAA"}]}', 400, "only for string (DT_STRING) inputs"),
    ("/v1/models/half_plus_three:predict", b'{"signature_name": "nope", "instances": [1.0]}', 400, "'nope' not found in signature def"),
    ("/v1/models/mnist:predict", b'{"instances": [[1, 2]]}', 400, "Input 'images' expects float32 [-1, 28, 28, 1]. Received: shape [1, 2]"),
    ("/v1/models/mnist:predict", b'{"instances": [[[1], [2, 3]]]}', 400, "not a rectangular array"),
    ("/v1/models/text:predict", b'{"instances": [{"text": NaN, "scale": 1.0}]}', 400, "Input 'text' is a string tensor (DT_STRING)"),
    ("/v1/models/text:predict", b'{"instances": [{"text": "a", "scale": 1.0}, "b"]}', 400, "object of the named inputs scale, text"),
    ("/v1/models/text:predict", b'{"instances": [{"text": "a"}]}', 400, "missing input(s) scale"),
    ("/v1/models/text:predict", b'{"instances": [{"text": "a", "scale": 1, "size": 2}]}', 400, "unknown input(s) size"),
    ("/v1/models/text:predict", b'{"instances": [{"text": {"b64": "%%%"}, "scale": 1}]}', 400, "not valid base64"),
    ("/v1/models/text:predict", b'{"inputs": {"text": ["a", "b"], "scale": [1.0, 2.0, 3.0]}}', 400, "Incompatible shapes"),
    ("/v1/models/half_plus_three:classify", b'{"examples": [{"x": 1.0}]}', 400, "not a classification signature"),
    ("/v1/models/half_plus_three:regress", b'{"signature_name": "tensorflow/serving/regress", "examples": 3}', 400, "non-empty list of feature objects"),
    ("/v1/models/text:classify", b'{"signature_name": "classify", "context": {"height": 1.0}, "examples": [{"height": 2.0}]}', 400, "also appear in 'context'"),
    ("/v1/models/text:classify", b'{"signature_name": "classify", "examples": [{"height": [1.0, "a"]}]}', 400, "all of one kind"),
    ("/v1/models/text:classify", b'{"signature_name": "classify", "examples": [{"weight": 1.0}]}', 400, "height"),
    ("/v1/models/text:regress", b'{"signature_name": "bmi", "examples": [{"weight": 80.0, "age": 30}]}', 400, "Example 0: missing feature(s) height"),
    ("/v1/models/nope:predict", b'{"instances": [1.0]}', 404, "Servable not found for request: Latest(nope)"),
    ("/v1/models/half_plus_three/versions/7:predict", b'{"instances": [1.0]}', 404, "Specific(half_plus_three, 7)"),
    ("/v1/models/half_plus_three/labels/canary:predict", b'{"instances": [1.0]}', 404, "Unrecognized servable version label: canary"),
    ("/v1/models/half_plus_three:explain", b'{"instances": [1.0]}', 404, "Malformed request"),
    ("/v1/models/half_plus_three:predict", b'{"instances": [' + b"1.0," * (MAX_BODY // 4) + b"1.0]}", 413, "over the limit"),
]


def test_bad_requests_are_refused_and_the_server_keeps_serving(server):
    assert len(BAD_REQUESTS) >= 25
    for path, raw, expected, fragment in BAD_REQUESTS:
        status, body = server.post(path, raw=raw)
        assert (status, list(body)) == (expected, ["error"]), (path, raw[:80], status, body)
        assert fragment in body["error"], (path, raw[:80], body)
    status, body = server.get("/v1/models/half_plus_three:predict")
    assert status == 405 and "takes POST" in body["error"]
    assert server.post("/v1/models/half_plus_three:predict", {"instances": [1.0]}) == (200, {"predictions": [3.5]})


def metrics(server, name, model):
    import urllib.request

    text = urllib.request.urlopen(server.url + "/monitoring/prometheus/metrics", timeout=30).read().decode()
    pattern = re.compile(rf'^{name}{{model="{model}",version="\d+",signature="serving_default"}} (\d+)$', re.M)
    return sum(int(value) for value in pattern.findall(text))


def test_dynamic_batching_merges_concurrent_requests(server):
    batches, rows = metrics(server, "kclassics_serving_batches_total", "mnist"), metrics(server, "kclassics_serving_batched_rows_total", "mnist")
    x = np.random.default_rng(3).random((24, 28, 28, 1), dtype=np.float32)
    bodies = [{"instances": x[i : i + 1].tolist()} for i in range(24)]
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda body: server.post("/v1/models/mnist:predict", body), bodies))
    assert all(status == 200 for status, _ in answers)
    one_by_one = [server.post("/v1/models/mnist:predict", body)[1]["predictions"][0]["probabilities"] for body in bodies[:3]]
    np.testing.assert_allclose([a[1]["predictions"][0]["probabilities"] for a in answers[:3]], one_by_one, atol=1e-6)
    merged = metrics(server, "kclassics_serving_batches_total", "mnist") - batches
    assert metrics(server, "kclassics_serving_batched_rows_total", "mnist") - rows == 27
    assert merged < 24, f"24 concurrent requests ran as {merged} batches"
    # Traced once, for every batch size, when the version loaded: never per request.
    assert metrics(server, "kclassics_serving_traces", "mnist") == 1


def test_large_request_is_split_into_batches(server):
    status, body = server.post("/v1/models/half_plus_three:predict", {"instances": list(range(20))})
    assert status == 200 and body["predictions"] == [0.5 * i + 3 for i in range(20)]


def wait_for(condition, timeout=60, interval=0.05):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(interval)


def states(server, name):
    status, body = server.get(f"/v1/models/{name}")
    return {int(v["version"]): v["state"] for v in body["model_version_status"]} if status == 200 else {}


def test_version_polling(server, exports):
    base = exports["root"] / "polled"
    assert states(server, "polled") == {2: "AVAILABLE"}  # the latest version only, by default
    # A new version, renamed into place as exports are: picked up without a restart, and the old one unloaded.
    shutil.copytree(exports["root"] / "half_plus_three" / "123", base / ".staging")
    os.rename(base / ".staging", base / "3")
    wait_for(lambda: states(server, "polled").get(3) == "AVAILABLE")
    wait_for(lambda: states(server, "polled").get(2) == "END")
    assert server.post("/v1/models/polled/versions/3:predict", {"instances": [1.0]}) == (200, {"predictions": [3.5]})
    assert server.post("/v1/models/polled/versions/2:predict", {"instances": [1.0]})[0] == 404
    # A version still being written (its files change between scans) is never loaded...
    partial = base / "4"
    shutil.copytree(exports["root"] / "half_plus_three" / "123", partial)
    growing = partial / "variables" / "variables.data-00000-of-00001"
    real = growing.read_bytes()
    writing = threading.Event()

    def write():  # a slow copy: the file grows every 20 ms, ten times within each 0.2 s scan interval
        for size in range(80):
            growing.write_bytes(real[: size * len(real) // 80])
            time.sleep(0.02)
        writing.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not writing.is_set():
        assert states(server, "polled").get(4) is None
        assert server.post("/v1/models/polled:predict", {"instances": [1.0]}) == (200, {"predictions": [3.5]})
        time.sleep(0.1)
    writer.join()
    # ... and one whose files stop changing half-written fails to load, is reported, while version 3 keeps serving.
    wait_for(lambda: states(server, "polled").get(4) == "END")
    status = server.get("/v1/models/polled/versions/4")[1]["model_version_status"][0]["status"]
    assert status["error_code"] != "OK" and "Failed to load" in status["error_message"]
    assert states(server, "polled")[3] == "AVAILABLE"
    growing.write_bytes(real)  # finished: its files changed, so it is tried again
    wait_for(lambda: states(server, "polled").get(4) == "AVAILABLE")
    # A deleted version goes; the latest remaining one comes back.
    shutil.rmtree(partial)
    wait_for(lambda: states(server, "polled").get(3) == "AVAILABLE" and 4 not in states(server, "polled"))
    assert server.post("/v1/models/polled/versions/4:predict", {"instances": [1.0]})[0] == 404


def test_page_in_a_headless_browser(server, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,900",
                     f"--user-data-dir={tmp_path / 'chromium'}"):  # its profile goes with the test's directory
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(server.url + "/")
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        assert headings == ["autoencoder", "half_plus_three", "mnist", "polled", "text"]
        panels = driver.find_elements(By.CSS_SELECTOR, ".try")
        assert len(panels) == 1 and json.loads(panels[0].get_attribute("data-spec"))["model"] == "mnist"
        canvas = panels[0].find_element(By.CSS_SELECTOR, "canvas.draw")
        chain = ActionChains(driver).move_to_element_with_offset(canvas, -10, -60).click_and_hold()
        for dx, dy in ((0, 40), (0, 40), (5, 20)):  # a "1"
            chain = chain.move_by_offset(dx, dy)
        chain.release().perform()
        panels[0].find_element(By.CSS_SELECTOR, ".classify").click()
        rows = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".top5 tr")[1:] or False)
        cells = [row.find_elements(By.TAG_NAME, "td") for row in rows]
        probabilities = [float(c[1].text) for c in cells]
        assert len(cells) == 5 and probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001
        assert len({c[0].text for c in cells}) == 5
        # A picture picked from disk is classified too.
        from PIL import Image, ImageDraw

        picture = Image.new("RGB", (64, 64))
        ImageDraw.Draw(picture).line([(32, 8), (32, 56)], fill="white", width=7)
        picture.save(tmp_path / "one.png")
        driver.execute_script("document.querySelector('.result').innerHTML = ''")
        panels[0].find_element(By.CSS_SELECTOR, "input.file").send_keys(str(tmp_path / "one.png"))
        rows = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".top5 tr")[1:] or False)
        assert len(rows) == 5
        shot = tmp_path / "serving_page.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    finally:
        driver.quit()


def test_sigterm_drains_a_request_in_flight_and_exits_0(server):
    host, port = server.url.removeprefix("http://").split(":")
    body = json.dumps({"instances": [1.0, 2.0]}).encode()
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/v1/models/half_plus_three:predict")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    connection.send(body[:10])  # the request is in flight: its body is half sent
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert server.process.poll() is None  # waiting for the request
    connection.send(body[10:])
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"predictions": [3.5, 4.0]})
    connection.close()
    assert server.process.wait(30) == 0
