using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Infrastructure.Parsing;
using k8s;
using k8s.KubeConfigModels;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// Reads pasted or uploaded kubeconfigs. Only what travels with the file is usable: embedded CA and client
/// certificate data and tokens. Paths to files and exec or auth-provider plugins belong to another machine.
/// </summary>
public sealed class KubeconfigReader : IKubeconfigReader
{
    public (IReadOnlyList<string> Contexts, string? Current, string? Error) Contexts(string kubeconfig)
    {
        var (config, error) = Parse(kubeconfig);
        if (config is null) return ([], null, error);
        var names = (config.Contexts ?? []).Select(c => c.Name).Where(n => !string.IsNullOrEmpty(n)).ToList();
        return (names, string.IsNullOrEmpty(config.CurrentContext) ? null : config.CurrentContext, null);
    }

    public (ClusterConnection? Connection, string? Error, string? Field) Read(string kubeconfig, string? context)
    {
        var (config, error) = Parse(kubeconfig);
        if (config is null) return Invalid(error!);
        var contexts = config.Contexts?.ToList() ?? [];
        if (contexts.Count == 0) return Invalid("The kubeconfig has no contexts.");

        var name = context ?? (string.IsNullOrEmpty(config.CurrentContext) ? (contexts.Count == 1 ? contexts[0].Name : null) : config.CurrentContext);
        if (name is null)
            return (null, $"The kubeconfig has several contexts and no current one; choose a context: {string.Join(", ", contexts.Select(c => c.Name))}.", "context");
        var chosen = contexts.FirstOrDefault(c => c.Name == name);
        if (chosen?.ContextDetails is null)
            return (null, $"The kubeconfig has no context '{name}'; its contexts are: {string.Join(", ", contexts.Select(c => c.Name))}.", "context");

        var cluster = config.Clusters?.FirstOrDefault(c => c.Name == chosen.ContextDetails.Cluster)?.ClusterEndpoint;
        if (cluster?.Server is null) return Invalid($"Context '{name}' names cluster '{chosen.ContextDetails.Cluster}', which the kubeconfig does not define.");
        var user = config.Users?.FirstOrDefault(u => u.Name == chosen.ContextDetails.User)?.UserCredentials;
        if (user is null) return Invalid($"Context '{name}' names user '{chosen.ContextDetails.User}', which the kubeconfig does not define.");

        if (!string.IsNullOrEmpty(cluster.CertificateAuthority))
            return Invalid("The kubeconfig points to a CA file (certificate-authority); embed it instead: kubectl config view --raw --flatten --minify.");
        if (!string.IsNullOrEmpty(user.ClientCertificate) || !string.IsNullOrEmpty(user.ClientKey))
            return Invalid("The kubeconfig points to client certificate files; embed them instead: kubectl config view --raw --flatten --minify.");
        if (user.ExternalExecution is not null)
            return Invalid($"The kubeconfig gets its credentials by running '{user.ExternalExecution.Command}', which Cocktail cannot run. Give a ServiceAccount token or a client certificate instead.");
        if (user.AuthProvider is not null)
            return Invalid($"The kubeconfig uses the '{user.AuthProvider.Name}' auth provider, which Cocktail cannot use. Give a ServiceAccount token or a client certificate instead.");
        if (string.IsNullOrEmpty(user.Token) && string.IsNullOrEmpty(user.ClientCertificateData))
            return Invalid($"User '{chosen.ContextDetails.User}' has neither a token nor a client certificate.");
        if (!string.IsNullOrEmpty(user.ClientCertificateData) && string.IsNullOrEmpty(user.ClientKeyData))
            return Invalid($"User '{chosen.ContextDetails.User}' has a client certificate but no client-key-data.");

        return (new ClusterConnection(cluster.Server.TrimEnd('/'), cluster.CertificateAuthorityData, Blank(user.Token),
            Blank(user.ClientCertificateData), Blank(user.ClientKeyData), cluster.SkipTlsVerify, Blank(cluster.TlsServerName)), null, null);
    }

    private static (ClusterConnection?, string?, string?) Invalid(string error) => (null, error, "kubeconfig");

    private static (K8SConfiguration? Config, string? Error) Parse(string kubeconfig)
    {
        if (BoundedYaml.Check(kubeconfig, ConnectionInputs.MaxKubeconfigLength) is { } unreadable)
            return (null, unreadable.Replace("The YAML", "The kubeconfig", StringComparison.Ordinal));
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            var config = KubernetesClientConfiguration.LoadKubeConfig(stream);
            return config is null ? (null, "The kubeconfig is empty.") : (config, null);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or FormatException)
        {
            return (null, "The kubeconfig is not valid YAML in the kubeconfig format.");
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
