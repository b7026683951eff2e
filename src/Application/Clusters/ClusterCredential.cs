namespace Cocktail.Application.Clusters;

/// <summary>A cluster's connection, encrypted by the credential vault. Written with the cluster's events.</summary>
public sealed class ClusterCredential
{
    public Guid Id { get; set; }
    public string Protected { get; set; } = "";
}
