using System.Globalization;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Provisioning;

/// <summary>A Kubernetes release, <c>v1.33.2</c> (the leading v optional on input, always written).</summary>
public readonly record struct KubernetesVersion(int Major, int Minor, int Patch) : IComparable<KubernetesVersion>
{
    public static bool TryParse(string? text, out KubernetesVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32) return false;
        var parts = text.Trim().TrimStart('v').Split('.');
        if (parts.Length != 3) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ||
            !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch)) return false;
        if (major != 1 || minor > 99 || patch > 999) return false;
        version = new KubernetesVersion(major, minor, patch);
        return true;
    }

    public int CompareTo(KubernetesVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public static bool operator <(KubernetesVersion a, KubernetesVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(KubernetesVersion a, KubernetesVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(KubernetesVersion a, KubernetesVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(KubernetesVersion a, KubernetesVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"v{Major}.{Minor}.{Patch}";

    public const string Rule = "a Kubernetes release such as v1.33.2";

    /// <summary>
    /// Kubernetes supports upgrading one minor version at a time (the version skew policy), never down: a patch
    /// release of the same or the next minor is allowed, anything else is refused with the reason.
    /// </summary>
    public static DomainError? CheckUpgrade(KubernetesVersion from, KubernetesVersion to, string field = "version")
    {
        if (to == from) return DomainError.Invalid($"The cluster already runs {from}.", field);
        if (to < from) return DomainError.Invalid($"{to} is older than {from}: Kubernetes cannot be downgraded.", field);
        if (to.Minor > from.Minor + 1)
            return DomainError.Invalid(
                $"{from} → {to} skips {to.Minor - from.Minor - 1} minor version(s): upgrade one minor version at a time (first to v1.{from.Minor + 1}).", field);
        return null;
    }
}
