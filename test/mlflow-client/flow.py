"""An unchanged MLflow client script, run against Pedigree.

Logs a run with params, metrics and an input dataset (a loss over three
steps, through log_metric and log_metrics, whose whole history must come back
from get_metric_history); logs a small pyfunc model; registers it twice; sets
`champion` and `challenger`; moves `champion` forward and back (rollback);
loads models:/NAME@champion and predicts; searches versions; sets and deletes
a version tag. Prints one JSON line with what it saw, for the test to check
through GraphQL.

Environment: MLFLOW_TRACKING_URI (Pedigree's base URL), MODEL_NAME,
EXPERIMENT_NAME.
"""
import json
import os

import mlflow
import mlflow.data
import pandas as pd
from mlflow import MlflowClient

name = os.environ["MODEL_NAME"]
mlflow.set_experiment(os.environ["EXPERIMENT_NAME"])
client = MlflowClient()


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
    info = mlflow.pyfunc.log_model(name="model", python_model=Doubler(), pip_requirements=["pandas"])

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
}))
