namespace Cocktail.Application.Logs.SettingUpCollection;

/// <summary>
/// The OpenTelemetry Collector that ships a cluster's container logs to Cocktail, as manifests ready for
/// <c>kubectl apply -f</c>: a DaemonSet (one collector per node) reading the kubelet's files under /var/log/pods with
/// the filelog receiver and its container parser, the k8sattributes processor (which needs to list pods, namespaces,
/// nodes, ReplicaSets and Jobs to name each line's workload), batching, and the otlphttp exporter with the cluster's
/// token from a Secret, gzip and retries (it honours Retry-After on 429 and 503).
/// </summary>
public static class CollectorManifests
{
    public const string Namespace = "cocktail-logs";
    public const string Name = "cocktail-log-collector";
    public const string SecretName = "cocktail-logs-token";
    public const string DefaultImage = "otel/opentelemetry-collector-contrib:0.115.0";

    public static string Endpoint(string baseUrl) => baseUrl.TrimEnd('/');

    public static string SecretCommand =>
        $"kubectl create namespace {Namespace} --dry-run=client -o yaml | kubectl apply -f - && " +
        $"kubectl -n {Namespace} create secret generic {SecretName} --from-literal=token=<the token shown when it was created>";

    public static string Secret(string token) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {SecretName}
          namespace: {Namespace}
        type: Opaque
        stringData:
          token: "{token}"
        """;

    public static string For(string endpoint, string clusterName, string image = DefaultImage) =>
        string.Join("\n---\n", NamespaceManifest(clusterName), Rbac, ConfigMap(endpoint), DaemonSet(image)) + "\n";

    /// <summary>Privileged: the collector reads host paths, which the baseline Pod Security level forbids.</summary>
    private static string NamespaceManifest(string clusterName) => $"""
        # OpenTelemetry Collector sending {clusterName}'s container logs to Cocktail.
        # First create the token's Secret (shown once by Cocktail), then: kubectl apply -f this file.
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {Namespace}
          labels:
            pod-security.kubernetes.io/enforce: privileged
        """;

    private static readonly string Rbac = $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {Name}
          namespace: {Namespace}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: {Name}
        rules:
        - apiGroups: [""]
          resources: ["pods", "namespaces", "nodes"]
          verbs: ["get", "list", "watch"]
        - apiGroups: ["apps"]
          resources: ["replicasets"]
          verbs: ["get", "list", "watch"]
        - apiGroups: ["batch"]
          resources: ["jobs"]
          verbs: ["get", "list", "watch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: {Name}
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: {Name}
        subjects:
        - kind: ServiceAccount
          name: {Name}
          namespace: {Namespace}
        """;

    /// <summary>
    /// The collector's configuration. The severity comes from the first level word of the line, as a regex_parser reads
    /// it (lines without one keep severity 0, unspecified); the collector's own lines are not collected.
    /// </summary>
    public static string CollectorConfig(string endpoint) => $$"""
        receivers:
          filelog:
            include: [/var/log/pods/*/*/*.log]
            exclude: [/var/log/pods/{{Namespace}}_*/*/*.log]
            start_at: end
            include_file_path: true
            include_file_name: false
            operators:
              - type: container
                id: container-parser
              - type: regex_parser
                id: severity-parser
                regex: '\b(?P<severity>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b'
                on_error: send_quiet
                severity:
                  parse_from: attributes.severity
        processors:
          memory_limiter:
            check_interval: 1s
            limit_percentage: 80
            spike_limit_percentage: 25
          k8sattributes:
            auth_type: serviceAccount
            passthrough: false
            filter:
              node_from_env_var: K8S_NODE_NAME
            pod_association:
              - sources:
                  - from: resource_attribute
                    name: k8s.pod.uid
              - sources:
                  - from: resource_attribute
                    name: k8s.namespace.name
                  - from: resource_attribute
                    name: k8s.pod.name
            extract:
              metadata:
                - k8s.namespace.name
                - k8s.pod.name
                - k8s.pod.uid
                - k8s.node.name
                - k8s.deployment.name
                - k8s.statefulset.name
                - k8s.daemonset.name
                - k8s.cronjob.name
                - k8s.job.name
          batch:
            send_batch_size: 2000
            send_batch_max_size: 5000
            timeout: 1s
        exporters:
          otlphttp/cocktail:
            endpoint: {{endpoint}}
            encoding: proto
            compression: gzip
            headers:
              Authorization: "Bearer ${env:COCKTAIL_LOGS_TOKEN}"
            retry_on_failure:
              enabled: true
              initial_interval: 1s
              max_interval: 30s
              max_elapsed_time: 15m
            sending_queue:
              enabled: true
              queue_size: 5000
        service:
          pipelines:
            logs:
              receivers: [filelog]
              processors: [memory_limiter, k8sattributes, batch]
              exporters: [otlphttp/cocktail]
        """;

    private static string ConfigMap(string endpoint) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {Name}
          namespace: {Namespace}
        data:
          relay.yaml: |
        {Indent(CollectorConfig(endpoint), 4)}
        """;

    private static string DaemonSet(string image) => $"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: {Name}
          namespace: {Namespace}
          labels:
            app.kubernetes.io/name: {Name}
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: {Name}
          template:
            metadata:
              labels:
                app.kubernetes.io/name: {Name}
            spec:
              serviceAccountName: {Name}
              tolerations:
              - operator: Exists
              containers:
              - name: otelcol
                image: {image}
                args: ["--config=/conf/relay.yaml"]
                securityContext:
                  runAsUser: 0
                  runAsGroup: 0
                env:
                - name: K8S_NODE_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: spec.nodeName
                - name: COCKTAIL_LOGS_TOKEN
                  valueFrom:
                    secretKeyRef:
                      name: {SecretName}
                      key: token
                resources:
                  requests:
                    cpu: 100m
                    memory: 128Mi
                  limits:
                    memory: 512Mi
                volumeMounts:
                - name: config
                  mountPath: /conf
                - name: varlogpods
                  mountPath: /var/log/pods
                  readOnly: true
              volumes:
              - name: config
                configMap:
                  name: {Name}
              - name: varlogpods
                hostPath:
                  path: /var/log/pods
        """;

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : pad + line));
    }
}
