using System.Text.RegularExpressions;
using Cocktail.Domain.Common;
using FluentValidation;

namespace Cocktail.Application.Clusters;

public static partial class ClusterRules
{
    public static IRuleBuilderOptions<T, string> ValidClusterName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Name the cluster.")
            .Must(DnsLabel.IsValid).WithMessage($"Cluster names use {DnsLabel.Rule}.");

    /// <summary>Kubernetes label syntax, so the same labels can select clusters and be applied to them.</summary>
    public static IRuleBuilderOptions<T, Dictionary<string, string>?> ValidLabels<T>(this IRuleBuilder<T, Dictionary<string, string>?> rule) =>
        rule.Must(labels => labels is null || labels.Count <= 64).WithMessage("A cluster has at most 64 labels.")
            .Must(labels => labels is null || labels.All(l => IsLabelKey(l.Key) && IsLabelValue(l.Value)))
            .WithMessage("Label keys are an optional DNS prefix and '/' then up to 63 of [A-Za-z0-9-_.]; values up to 63 of the same, starting and ending alphanumeric.");

    public static bool IsLabelKey(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        return name.Length is > 0 and <= 63 && LabelName().IsMatch(name) &&
               (prefix is null || prefix.Length is > 0 and <= 253 && DnsSubdomain().IsMatch(prefix));
    }

    public static bool IsLabelValue(string? value) => value is not null && (value.Length == 0 || value.Length <= 63 && LabelName().IsMatch(value));

    public static bool IsHttpsUrl(string? server) =>
        Uri.TryCreate(server, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.Query);

    public static bool IsBase64(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return true;
        Span<byte> buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out _);
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
