// The type a dashboard JSON file of this project must satisfy: Grafana's own `Dashboard` from
// @grafana/schema, read the way a JSON file can meet it.
import type { AnnotationQuery, Dashboard } from '@grafana/schema';

/**
 * JSON has no TypeScript enums: where the schema names a string enum (`FieldColorModeId`,
 * `ThresholdsMode`, …), a JSON file holds one of its values, which `${E}` spells out.
 */
type FromJson<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? FromJson<U>[]
    : T extends object
      ? { [K in keyof T]: FromJson<T[K]> }
      : T;

/**
 * An annotation of Grafana's Prometheus data source. @grafana/schema types a data source's own
 * fields only as far as every data source shares them; these are the ones the Prometheus data
 * source reads (its query `expr`, evaluated every `step`, and how an event is titled and tagged).
 */
interface PrometheusAnnotation extends AnnotationQuery {
  expr: string;
  step?: string;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
}

export type DashboardJson = FromJson<
  Omit<Dashboard, 'annotations'> & { annotations?: { list?: PrometheusAnnotation[] } }
>;
