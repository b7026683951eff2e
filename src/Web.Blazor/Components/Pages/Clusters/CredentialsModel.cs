using static Cocktail.Web.Components.Shared.Inputs;
namespace Cocktail.Web.Components.Pages.Clusters;

public enum CredentialSource { Kubeconfig, ServerAndToken }

/// <summary>
/// The credential inputs shared by registering and rotating. Property names are the commands' own, so the forms
/// validate each field with the command's validator; only the chosen source's fields reach the command.
/// </summary>
public sealed class CredentialsModel
{
    public CredentialSource Source { get; set; } = CredentialSource.Kubeconfig;

    public string? Kubeconfig { get; set; }
    public string? Context { get; set; }
    public string? KubeconfigFileName { get; set; }
    /// <summary>The contexts the kubeconfig names, as read through ReadKubeconfigContexts; a choice when there are several.</summary>
    public IReadOnlyList<string> Contexts { get; set; } = [];

    public string? Server { get; set; }
    public string? CertificateAuthorityData { get; set; }
    public string? Token { get; set; }
    public string? ClientCertificateData { get; set; }
    public string? ClientKeyData { get; set; }
    /// <summary>With a server URL: a client certificate and key instead of a bearer token.</summary>
    public bool UseClientCertificate { get; set; }

    private bool FromKubeconfig => Source == CredentialSource.Kubeconfig;

    public string? KubeconfigToSend => FromKubeconfig ? Kubeconfig : null;
    public string? ContextToSend => FromKubeconfig && Contexts.Count > 1 ? Context : null;
    public string? ServerToSend => FromKubeconfig ? null : Server?.Trim();
    public string? CertificateAuthorityDataToSend => FromKubeconfig ? null : Blank(CertificateAuthorityData);
    public string? TokenToSend => FromKubeconfig || UseClientCertificate ? null : Blank(Token);
    public string? ClientCertificateDataToSend => FromKubeconfig || !UseClientCertificate ? null : Blank(ClientCertificateData);
    public string? ClientKeyDataToSend => FromKubeconfig || !UseClientCertificate ? null : Blank(ClientKeyData);

}
