namespace Cocktail.Domain.Charts;

/// <summary>
/// How a Helm chart repository is served: an HTTP(S) server with an <c>index.yaml</c> (Flux <c>HelmRepository</c> of
/// type <c>default</c>), or an OCI registry holding charts as artifacts (<c>HelmRepository</c> of type <c>oci</c>).
/// </summary>
public enum ChartRepositoryKind
{
    Http,
    Oci,
}
