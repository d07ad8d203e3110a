"""A small pipeline reported to Pedigree through the unchanged OpenLineage Python client.

Configured the way a team would: OPENLINEAGE_URL (Pedigree's base URL) and
OPENLINEAGE_API_KEY (a Pedigree API token, sent as `Authorization: Bearer`).
PREFIX keeps this run's datasets and jobs apart from others'.

  1. ETL: raw landing file -> clean table, with a `version` facet (v1);
  2. a failing run (FAIL with an errorMessage facet);
  3. training: reads clean v1, writes the model artifact whose URI is a registered model version's source.

Prints one JSON line with the run ids it used.
"""

import json
import os
import uuid
from datetime import datetime, timezone

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    parent_run,
    schema_dataset,
    source_code_location_job,
)

PRODUCER = "https://example.com/pedigree-flow/1.0"
prefix = os.environ["PREFIX"]
landing_ns, warehouse_ns, models_ns = f"s3://{prefix}-landing", f"s3://{prefix}-warehouse", f"s3://{prefix}-models"

client = OpenLineageClient()  # OPENLINEAGE_URL + OPENLINEAGE_API_KEY


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def emit(state, run_id, job, inputs=(), outputs=(), run_facets=None, job_facets=None):
    client.emit(
        RunEvent(
            eventType=state,
            eventTime=now(),
            run=Run(runId=run_id, facets=run_facets or {}),
            job=Job(namespace=job[0], name=job[1], facets=job_facets or {}),
            inputs=list(inputs),
            outputs=list(outputs),
            producer=PRODUCER,
        )
    )


dag_run = str(uuid.uuid4())
parent = {"parent": parent_run.ParentRunFacet(run=parent_run.Run(runId=dag_run), job=parent_run.Job(namespace=f"{prefix}-airflow", name="daily"))}
code = {
    "sourceCodeLocation": source_code_location_job.SourceCodeLocationJobFacet(
        type="git", url="https://git.example.com/etl/blob/4f2c1ab/clean.py", repoUrl="https://git.example.com/etl.git", version="4f2c1ab"
    )
}

# 1. ETL: raw landing -> clean (version facet v1).
etl = str(uuid.uuid4())
etl_job = (f"{prefix}-airflow", "daily.clean_transactions")
raw = InputDataset(namespace=landing_ns, name="transactions/2025-06-01.csv")
clean = OutputDataset(
    namespace=warehouse_ns,
    name="clean_transactions",
    facets={
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion="v1"),
        "schema": schema_dataset.SchemaDatasetFacet(fields=[schema_dataset.SchemaDatasetFacetFields(name="amount", type="DOUBLE")]),
    },
)
emit(RunState.START, etl, etl_job, inputs=[raw], run_facets=parent, job_facets=code)
emit(RunState.COMPLETE, etl, etl_job, inputs=[raw], outputs=[clean], run_facets=parent, job_facets=code)

# 2. A run that fails: recorded, with its error, and no output version.
failed = str(uuid.uuid4())
failed_job = (f"{prefix}-airflow", "daily.enrich")
emit(RunState.START, failed, failed_job, inputs=[raw], run_facets=parent)
emit(
    RunState.FAIL,
    failed,
    failed_job,
    inputs=[raw],
    outputs=[OutputDataset(namespace=warehouse_ns, name="enriched_transactions")],
    run_facets={**parent, "errorMessage": error_message_run.ErrorMessageRunFacet(message="enrichment service unavailable", programmingLanguage="PYTHON")},
)

# 3. Training: reads clean v1, writes the model artifact (a registered version's source).
train = str(uuid.uuid4())
train_job = (f"{prefix}-ml", "train_fraud")
clean_v1 = InputDataset(namespace=warehouse_ns, name="clean_transactions", facets={"version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion="v1")})
model = OutputDataset(namespace=models_ns, name="fraud/1")
emit(RunState.START, train, train_job, inputs=[clean_v1])
emit(RunState.COMPLETE, train, train_job, inputs=[clean_v1], outputs=[model])

client.close()
print(json.dumps({"dag": dag_run, "etl": etl, "failed": failed, "train": train}))
