namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// The CRDs kept beside the OpenAPI documents (<c>shared/kubernetes/crds/&lt;project&gt;/&lt;file&gt;.yaml</c>), for tests that
/// install them on a cluster as the project's chart would. Nothing is installed at start: a fresh cluster has no CRDs.
/// </summary>
public static class SharedCrds
{
    public static string Directory => Path.Combine(Path.GetDirectoryName(OpenApiDocuments.Directory.TrimEnd(Path.DirectorySeparatorChar))!, "crds");

    public static string Read(string project, string file) => File.ReadAllText(Path.Combine(Directory, project, file));

    /// <summary>Every CRD YAML of a project folder (e.g. "cluster-api", "capi-aws"), in file name order.</summary>
    public static IReadOnlyList<string> ReadAll(string project) =>
        System.IO.Directory.GetFiles(Path.Combine(Directory, project), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public const string TrivyOperator = "trivy-operator";
    public const string VulnerabilityReports = "aquasecurity.github.io_vulnerabilityreports.yaml";
}
