using System.Buffers.Text;
using System.Buffers;
using System.Globalization;
using System.Text;
using Cocktail.Application.KubernetesAudit;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// kube-apiserver audit events as a busy cluster sends them: Metadata level, about 1 KB each, from a mix of
/// controllers, service accounts and people, over many namespaces, resources and verbs.
/// </summary>
public sealed class SyntheticAudit(int seed, int users = 200, int namespaces = 50)
{
    public static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
    // Reads dominate real audit logs; writes are the minority.
    private static readonly int[] VerbWeights = [40, 20, 10, 10, 10, 6, 4];
    public static readonly string[] Resources = ["pods", "configmaps", "secrets", "deployments", "services", "events", "leases", "endpoints", "replicasets", "jobs"];
    private static readonly string[] Agents =
    [
        "kube-controller-manager/v1.31.0 (linux/amd64) kubernetes/9edcffc/system:serviceaccount:kube-system:generic-garbage-collector",
        "kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc",
        "kubelet/v1.31.0 (linux/amd64) kubernetes/9edcffc",
        "argocd-application-controller/v2.12.3 (linux/amd64)",
    ];

    private readonly Random _random = new(seed);
    private readonly int _users = users;
    private readonly int _namespaces = namespaces;

    public static string UserName(int i) => $"system:serviceaccount:team-{i % 50:D2}:worker-{i:D3}";
    public static string Namespace(int i) => $"team-{i:D2}";

    /// <summary>
    /// An `audit.k8s.io/v1` EventList of <paramref name="count"/> new events received at <paramref name="at"/>. Made by
    /// copying pre-written events and writing a fresh auditID and the time into each, so that the load generator costs
    /// little of the CPU it shares with Cocktail and PostgreSQL.
    /// </summary>
    public byte[] EventList(int count, DateTimeOffset at)
    {
        _templates ??= Enumerable.Range(0, 2000).Select(_ => Template.Of(Next(TemplateTime).Json)).ToArray();
        Span<byte> time = stackalloc byte[TimeLength];
        Utf8Formatter.TryFormat(at.UtcDateTime, time, out _, new StandardFormat('O'));
        var picked = new Template[count];
        var length = Prefix.Length + Suffix.Length + count - 1;
        for (var i = 0; i < count; i++) length += (picked[i] = _templates[_random.Next(_templates.Length)]).Json.Length;
        var body = new byte[length];
        Prefix.CopyTo(body, 0);
        var at0 = Prefix.Length;
        for (var i = 0; i < count; i++)
        {
            if (i > 0) body[at0++] = (byte)',';
            var json = picked[i].Json;
            json.CopyTo(body, at0);
            Utf8Formatter.TryFormat(Guid.NewGuid(), body.AsSpan(at0 + picked[i].AuditId), out _);
            foreach (var offset in picked[i].Times) time.CopyTo(body.AsSpan(at0 + offset));
            at0 += json.Length;
        }
        Suffix.CopyTo(body, at0);
        return body;
    }

    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[""");
    private static readonly byte[] Suffix = "]}"u8.ToArray();
    private static readonly DateTimeOffset TemplateTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly int TimeLength = TemplateTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture).Length;
    private Template[]? _templates;

    /// <summary>An event's bytes with where its auditID and its two times are.</summary>
    private sealed record Template(byte[] Json, int AuditId, int[] Times)
    {
        public static Template Of(string json)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var id = json.IndexOf("\"auditID\":\"", StringComparison.Ordinal) + "\"auditID\":\"".Length;
            var stamp = Encoding.UTF8.GetBytes(TemplateTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            var times = new List<int>();
            for (var i = bytes.AsSpan().IndexOf(stamp); i >= 0;)
            {
                times.Add(i);
                var next = bytes.AsSpan(i + 1).IndexOf(stamp);
                i = next < 0 ? -1 : i + 1 + next;
            }
            return new Template(bytes, id, [.. times]);
        }
    }

    /// <summary>One event as the store keeps it: the columns and the raw JSON.</summary>
    public ParsedAuditEvent Parsed(Guid clusterId, DateTimeOffset at)
    {
        var e = Next(at);
        return new ParsedAuditEvent(new AuditRecord(clusterId, e.AuditId, "ResponseComplete", at, at, e.Verb, e.User,
            ["system:serviceaccounts", "system:authenticated"], null, [e.SourceIp], e.Agent, e.Resource, null, e.Namespace, e.Name.Length == 0 ? null : e.Name, e.Group.Length == 0 ? null : e.Group,
            "v1", e.Uri, e.Code, "Metadata", null, null), Encoding.UTF8.GetBytes(e.Json));
    }

    private sealed record Event(Guid AuditId, string Verb, string User, string SourceIp, string Agent, string Resource, string Namespace,
        string Name, string Group, string Uri, int Code, string Json);

    private Event Next(DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        var verb = Verbs[Weighted()];
        var resource = Resources[_random.Next(Resources.Length)];
        var group = resource is "deployments" or "replicasets" ? "apps" : resource is "jobs" ? "batch" : resource is "leases" ? "coordination.k8s.io" : "";
        var user = UserName(_random.Next(_users));
        var ns = Namespace(_random.Next(_namespaces));
        var name = verb is "list" or "watch" ? "" : $"{resource[..^1]}-{_random.Next(10_000):D4}";
        var prefix = group.Length == 0 ? "/api/v1" : $"/apis/{group}/v1";
        var uri = name.Length == 0 ? $"{prefix}/namespaces/{ns}/{resource}" : $"{prefix}/namespaces/{ns}/{resource}/{name}";
        var code = _random.Next(100) switch { < 90 => verb == "create" ? 201 : 200, < 95 => 404, < 98 => 403, _ => 409 };
        var ip = $"10.244.{_random.Next(8)}.{_random.Next(2, 250)}";
        var agent = Agents[_random.Next(Agents.Length)];
        var received = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var stage = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var nameField = name.Length == 0 ? "" : $",\"name\":\"{name}\"";
        var groupField = group.Length == 0 ? "" : $",\"apiGroup\":\"{group}\"";
        var json =
            $"{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"{id}\",\"stage\":\"ResponseComplete\"," +
            $"\"requestURI\":\"{uri}\",\"verb\":\"{verb}\",\"user\":{{\"username\":\"{user}\",\"uid\":\"{Guid.NewGuid()}\"," +
            $"\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:{ns}\",\"system:authenticated\"]," +
            $"\"extra\":{{\"authentication.kubernetes.io/pod-name\":[\"worker-{_random.Next(1000)}\"]}}}}," +
            $"\"sourceIPs\":[\"{ip}\"],\"userAgent\":\"{agent}\"," +
            $"\"objectRef\":{{\"resource\":\"{resource}\",\"namespace\":\"{ns}\"{nameField}{groupField},\"apiVersion\":\"v1\"}}," +
            $"\"responseStatus\":{{\"metadata\":{{}},\"code\":{code}}},\"requestReceivedTimestamp\":\"{received}\",\"stageTimestamp\":\"{stage}\"," +
            $"\"annotations\":{{\"authorization.k8s.io/decision\":\"{(code == 403 ? "forbid" : "allow")}\",\"authorization.k8s.io/reason\":" +
            $"\"RBAC: allowed by RoleBinding \\\"workers\\\" of ClusterRole \\\"edit\\\" to ServiceAccount \\\"worker/{ns}\\\"\"}}}}";
        return new Event(id, verb, user, ip, agent, resource, ns, name, group, uri, code, json);
    }

    private int Weighted()
    {
        var roll = _random.Next(100);
        for (var i = 0; i < VerbWeights.Length; i++)
        {
            if (roll < VerbWeights[i]) return i;
            roll -= VerbWeights[i];
        }
        return 0;
    }
}
