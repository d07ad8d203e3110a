/**
 * The GraphQL operations the bench sends. The contract ones are copied
 * verbatim from shared/contract/operations.graphql (what real clients send);
 * NESTED_LIST is the bench's own list query with nested fields.
 */
export const GET_BY_ALIAS = `query GetModelVersionByAlias($modelName: String!, $alias: String!) {
  modelVersionByAlias(modelName: $modelName, alias: $alias) { version source checksum stage }
}`;

export const CREATE_MODEL = `mutation CreateRegisteredModel($input: CreateRegisteredModelInput!) {
  createRegisteredModel(input: $input) { id name description owner createdAt tags { key value } }
}`;

export const CREATE_VERSION = `mutation CreateModelVersion($input: CreateModelVersionInput!) {
  createModelVersion(input: $input) {
    id version semver stage source checksum fingerprint framework createdAt createdBy
    model { name }
    run { id }
    baseModel { model { name } version }
    teachers { model { name } version }
  }
}`;

export const SET_ALIAS = `mutation SetRegisteredModelAlias($modelName: String!, $alias: String!, $version: Int!) {
  setRegisteredModelAlias(modelName: $modelName, alias: $alias, version: $version) {
    alias version { version } previousVersion { version } sequence
  }
}`;

export const SEARCH = `query SearchModelVersions($filter: ModelVersionFilter, $orderBy: [ModelVersionOrder!], $first: Int, $after: String) {
  searchModelVersions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { model { name } version stage metrics { key value } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** SearchModelVersions without totalCount (the count is made only when selected): the page alone. */
export const SEARCH_PAGE = `query SearchModelVersionsPage($filter: ModelVersionFilter, $orderBy: [ModelVersionOrder!], $first: Int, $after: String) {
  searchModelVersions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { model { name } version stage metrics { key value } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const TRACE = `query TracePrediction($id: String!) {
  tracePrediction(id: $id) {
    prediction { id at }
    modelVersion { model { name } version }
    run { id codeCommit }
    datasets { id version hash }
    sources { uri }
    ancestors { model { name } version relation }
  }
}`;

export const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int, $relations: [String!]) {
  lineage(id: $id, direction: $direction, depth: $depth, relations: $relations) {
    root { id kind label }
    nodes { id kind label }
    edges { from to relation }
    truncated
  }
}`;

export const IMPACT = `query DatasetImpact($datasetVersionId: ID!) {
  datasetImpact(datasetVersionId: $datasetVersionId) {
    modelVersions { model { name } version stage aliases }
  }
}`;

export const ALIAS_CHANGED = `subscription AliasChanged($modelName: String!, $alias: String, $after: String) {
  aliasChanged(modelName: $modelName, alias: $alias, after: $after) {
    sequence modelName alias previousVersion version at actor
  }
}`;

/** A list query with nested fields: every level below the models is a field resolver. */
export const NESTED_LIST = `query BenchNestedList($first: Int) {
  registeredModels(first: $first) {
    edges { node {
      name
      tags { key value }
      aliases { alias version { version tags { key value } } }
      latestVersion { version run { id } metrics { key value } }
      versions(first: 10) { edges { node { version tags { key value } metrics { key value } baseModel { version } } } }
    } }
  }
}`;

export const SUBSCRIPTION_FIELDS = `{ __schema { subscriptionType { fields { name } } } }`;
