using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Domain.Tests.ImageScanning;

/// <summary>What the image scanning tests share: one moment, one person, one image of workspace "shop", and granting an exception there.</summary>
static class Scanning
{
    public static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    public static readonly ActorRef Alice = new(Guid.CreateVersion7(), "alice");
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(90);
    public const string Digest = "sha256:ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";

    public static Decision Grant(string cve = "CVE-2024-1234", string pattern = "shop/web", string reason = "not reachable",
        DateTimeOffset? validUntil = null, DateTimeOffset? at = null) =>
        VulnerabilityException.Grant(Guid.CreateVersion7(), Guid.CreateVersion7(), "shop", cve, pattern, reason, validUntil ?? Now.AddDays(30),
            MaxValidity, Alice, at ?? Now);

    public static VulnerabilityException Granted(string cve = "CVE-2024-1234", string pattern = "shop/web", DateTimeOffset? validUntil = null,
        DateTimeOffset? at = null) =>
        Given.Events<VulnerabilityException>(Grant(cve, pattern, validUntil: validUntil, at: at).Single());
}
