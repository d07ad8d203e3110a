"""An unchanged MLflow client script, run against Pedigree.

First registers an MLflow webhook (create, get, list, test) whose receiver,
a small HTTP server in this process, verifies every delivery's signature the
way MLflow's own receiver example does; registers a prompt twice, tags it,
moves an alias, loads it by version and by alias, searches it, and sees the
protected `production` alias refused with the promotion to request. Then logs a run with params, metrics and an input dataset (a loss over three
steps, through log_metric and log_metrics, whose whole history must come back
from get_metric_history); logs a small pyfunc model; registers it twice; sets
`champion` and `challenger`; moves `champion` forward and back (rollback);
loads models:/NAME@champion and predicts; searches versions; sets and deletes
a version tag. Prints one JSON line with what it saw, for the test to check
through GraphQL.

The model is logged with the prompt (MLflow links them), so the registered
version uses that prompt version; the first version is copied to another
model (copy_model_version) and logged models are searched. At the end it waits
for the webhook deliveries and checks each one's signature.

Environment: MLFLOW_TRACKING_URI (Pedigree's base URL), MODEL_NAME,
EXPERIMENT_NAME.
"""
import base64
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import mlflow
import mlflow.data
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

name = os.environ["MODEL_NAME"]
experiment = mlflow.set_experiment(os.environ["EXPERIMENT_NAME"])
client = MlflowClient()

# ---------------------------------------------------------------- webhooks
WEBHOOK_SECRET = "flow-webhook-secret"
received = []


def verify_mlflow_signature(payload: str, signature: str, secret: str, delivery_id: str, timestamp: str) -> bool:
    """MLflow's receiver example: HMAC-SHA256 over "<delivery id>.<timestamp>.<payload>", base64, after "v1,"."""
    if not signature or not signature.startswith("v1,"):
        return False
    signed_content = f"{delivery_id}.{timestamp}.{payload}"
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), signed_content.encode("utf-8"), hashlib.sha256).digest()).decode("utf-8")
    return hmac.compare_digest(signature[3:], expected)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        payload = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        delivery_id = self.headers.get("X-MLflow-Delivery-Id", "")
        timestamp = self.headers.get("X-MLflow-Timestamp", "")
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
        ok = fresh and verify_mlflow_signature(payload, self.headers.get("X-MLflow-Signature", ""), WEBHOOK_SECRET, delivery_id, timestamp)
        received.append({"verified": ok, "delivery_id": delivery_id, "body": json.loads(payload)})
        self.send_response(200 if ok else 400)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if ok else b'{"error": "bad signature"}')

    def log_message(self, *args):
        pass


receiver = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/mlflow-hook"
hook = client.create_webhook(
    name=f"{name}-hook",
    url=hook_url,
    events=["registered_model.created", "model_version.created", "model_version_alias.created", "prompt_version.created", "prompt_alias.created"],
    description="flow.py receiver",
    secret=WEBHOOK_SECRET,
)
assert client.get_webhook(hook.webhook_id).name == f"{name}-hook"
assert hook.webhook_id in [w.webhook_id for w in client.list_webhooks()]
tested = client.test_webhook(hook.webhook_id)
assert tested.success and tested.response_status == 200, tested
tested_alias = client.test_webhook(hook.webhook_id, event="model_version_alias.created")
assert tested_alias.success, tested_alias

# ---------------------------------------------------------------- prompts
prompt_name = f"{name}-prompt"
p1 = mlflow.genai.register_prompt(name=prompt_name, template="Double {{x}}.", commit_message="first", tags={"team": "risk"})
p2 = mlflow.genai.register_prompt(name=prompt_name, template="Double {{x}}, exactly.", commit_message="second")
assert (p1.version, p2.version) == (1, 2), (p1.version, p2.version)
mlflow.genai.set_prompt_alias(prompt_name, alias="candidate", version=2)
by_alias = mlflow.genai.load_prompt(f"prompts:/{prompt_name}@candidate")
assert by_alias.version == 2 and by_alias.format(x="21") == "Double 21, exactly.", by_alias
by_version = mlflow.genai.load_prompt(f"prompts:/{prompt_name}/1")
assert by_version.template == "Double {{x}}.", by_version.template
assert [p.name for p in mlflow.genai.search_prompts(f"name = '{prompt_name}'")] == [prompt_name]
mlflow.genai.set_prompt_tag(prompt_name, "reviewed", "yes")
assert mlflow.genai.get_prompt_tags(prompt_name)["reviewed"] == "yes"
try:
    mlflow.genai.set_prompt_alias(prompt_name, alias="production", version=2)
    raise AssertionError("moving the protected alias production should be refused")
except MlflowException as e:
    protected_refusal = str(e)
assert "requestPromotion" in protected_refusal, protected_refusal


class Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input["x"] * 2


train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.0]})
dataset = mlflow.data.from_pandas(train, source="s3://pedigree-test/train.csv", name="doubler-train")

with mlflow.start_run(run_name="doubler-training") as run:
    mlflow.log_params({"lr": "0.1", "epochs": "3"})
    mlflow.log_metric("accuracy", 0.91)
    mlflow.log_metric("loss", 0.5, step=0)
    mlflow.log_metric("loss", 0.25, step=1)
    mlflow.log_metrics({"loss": 0.125, "lr_now": 0.05}, step=2)  # log-batch
    mlflow.log_input(dataset, context="training")
    info = mlflow.pyfunc.log_model(name="model", python_model=Doubler(), pip_requirements=["pandas"], prompts=[f"prompts:/{prompt_name}/2"])

got_run = client.get_run(run.info.run_id)
assert got_run.data.params == {"lr": "0.1", "epochs": "3"}, got_run.data.params
assert got_run.data.metrics["loss"] == 0.125, got_run.data.metrics
loss_history = client.get_metric_history(run.info.run_id, "loss")
assert [(m.step, m.value) for m in loss_history] == [(0, 0.5), (1, 0.25), (2, 0.125)], loss_history
assert [m.step for m in client.get_metric_history(run.info.run_id, "lr_now")] == [2]
assert client.get_metric_history(run.info.run_id, "never-logged") == []
assert got_run.info.status == "FINISHED", got_run.info.status
assert [d.dataset.name for d in got_run.inputs.dataset_inputs] == ["doubler-train"]

v1 = mlflow.register_model(info.model_uri, name)
v2 = mlflow.register_model(info.model_uri, name)
assert (v1.version, v2.version) == ("1", "2"), (v1.version, v2.version)

client.set_registered_model_alias(name, "champion", v1.version)
client.set_registered_model_alias(name, "challenger", v2.version)
client.set_registered_model_alias(name, "champion", v2.version)
client.set_registered_model_alias(name, "champion", v1.version)  # rollback
assert client.get_model_version_by_alias(name, "champion").version == "1"

model = mlflow.pyfunc.load_model(f"models:/{name}@champion")
prediction = [float(x) for x in model.predict(pd.DataFrame({"x": [1.0, 21.0]}))]
assert prediction == [2.0, 42.0], prediction

found = client.search_model_versions(f"name = '{name}'")
assert sorted(v.version for v in found) == ["1", "2"], [v.version for v in found]
assert all(v.run_id == run.info.run_id for v in found)

client.set_model_version_tag(name, "1", "reviewed", "yes")
client.delete_model_version_tag(name, "1", "reviewed")
assert "reviewed" not in client.get_model_version(name, "1").tags

# A prompt is not a registered model to MLflow's model searches.
assert [m.name for m in client.search_registered_models(f"name = '{prompt_name}'")] == []
assert [m.name for m in client.search_registered_models(f"name = '{name}'")] == [name]

copy = client.copy_model_version(f"models:/{name}/1", f"{name}-copy")
assert (copy.name, copy.version) == (f"{name}-copy", "1"), copy
assert copy.run_id == run.info.run_id

logged = mlflow.search_logged_models(experiment_ids=[experiment.experiment_id], filter_string="name = 'model'", output_format="list")
assert [m.model_id for m in logged] == [info.model_id], logged

# Every delivery arrives (retried until it does) and verifies.
wanted = {("model_version", "created", "1"), ("model_version", "created", "2"), ("model_version_alias", "created", "1"), ("prompt_version", "created", "2"), ("prompt_alias", "created", "2")}
deadline = time.time() + 60
while time.time() < deadline:
    got = {(r["body"]["entity"], r["body"]["action"], str(r["body"]["data"].get("version"))) for r in received if r["verified"]}
    if wanted <= got and any(r["body"]["entity"] == "registered_model" for r in received):
        break
    time.sleep(0.2)
assert wanted <= got, (wanted - got, received)
assert all(r["verified"] for r in received), [r for r in received if not r["verified"]]
prompt_delivery = next(r["body"] for r in received if r["body"]["entity"] == "prompt_version" and r["body"]["data"]["version"] == "2")
assert prompt_delivery["data"]["template"] == "Double {{x}}, exactly.", prompt_delivery
client.update_webhook(hook.webhook_id, status="DISABLED")
assert client.get_webhook(hook.webhook_id).status.value == "DISABLED"
client.delete_webhook(hook.webhook_id)
assert hook.webhook_id not in [w.webhook_id for w in client.list_webhooks()]

rm = client.get_registered_model(name)
print(json.dumps({
    "run_id": run.info.run_id,
    "model_uri": info.model_uri,
    "model_id": info.model_id,
    "versions": [v1.version, v2.version],
    "aliases": rm.aliases,
    "prediction": prediction,
    "loss_history": [[m.step, m.value] for m in loss_history],
    "mlflow_version": mlflow.__version__,
    "prompt_name": prompt_name,
    "copy_name": copy.name,
    "dataset_digest": got_run.inputs.dataset_inputs[0].dataset.digest,
    "deliveries": sorted({f"{r['body']['entity']}.{r['body']['action']}" for r in received}),
    "protected_refusal": protected_refusal,
}))
