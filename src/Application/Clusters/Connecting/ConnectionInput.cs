using Cocktail.Application.Common;
using FluentValidation;

namespace Cocktail.Application.Clusters.Connecting;

/// <summary>
/// Credentials as an admin gives them: a kubeconfig (with the context to use when it has several), or the server
/// URL with its CA and a bearer token (or a client certificate and key).
/// </summary>
public interface IConnectionInput
{
    string? Kubeconfig { get; }
    string? Context { get; }
    string? Server { get; }
    string? CertificateAuthorityData { get; }
    string? Token { get; }
    string? ClientCertificateData { get; }
    string? ClientKeyData { get; }
}

public static class ConnectionInputs
{
    public const int MaxKubeconfigLength = 256 * 1024;

    public static void AddConnectionRules<T>(this AbstractValidator<T> validator) where T : IConnectionInput
    {
        validator.RuleFor(x => x.Kubeconfig).NotEmpty()
            .When(x => string.IsNullOrWhiteSpace(x.Server))
            .WithMessage("Give a kubeconfig, or the server URL with a token or client certificate.");
        validator.RuleFor(x => x.Kubeconfig).Empty()
            .When(x => !string.IsNullOrWhiteSpace(x.Server))
            .WithMessage("Give either a kubeconfig or a server URL, not both.");
        validator.RuleFor(x => x.Kubeconfig).MaximumLength(MaxKubeconfigLength)
            .WithMessage($"A kubeconfig has at most {MaxKubeconfigLength / 1024} KiB.");
        validator.RuleFor(x => x.Context).MaximumLength(253);

        validator.When(x => !string.IsNullOrWhiteSpace(x.Server), () =>
        {
            validator.RuleFor(x => x.Server).Must(ClusterRules.IsHttpsUrl)
                .WithMessage("The server is an https:// URL, for example https://10.0.0.1:6443.");
            validator.RuleFor(x => x.Token).NotEmpty()
                .When(x => string.IsNullOrWhiteSpace(x.ClientCertificateData))
                .WithMessage("Give a bearer token, or a client certificate and key.");
            validator.RuleFor(x => x.Token).MaximumLength(16 * 1024);
            validator.RuleFor(x => x.CertificateAuthorityData).Must(ClusterRules.IsBase64).MaximumLength(64 * 1024)
                .WithMessage("certificateAuthorityData is the base64 of the CA's PEM, as in a kubeconfig.");
            validator.RuleFor(x => x.ClientCertificateData).Must(ClusterRules.IsBase64).MaximumLength(64 * 1024)
                .WithMessage("clientCertificateData is the base64 of the certificate's PEM, as in a kubeconfig.");
            validator.RuleFor(x => x.ClientKeyData).NotEmpty().When(x => !string.IsNullOrWhiteSpace(x.ClientCertificateData))
                .WithMessage("A client certificate needs its key (clientKeyData).");
            validator.RuleFor(x => x.ClientKeyData).Must(ClusterRules.IsBase64).MaximumLength(64 * 1024);
        });
    }

    /// <summary>Turns the input into a connection, or says which field is wrong.</summary>
    public static Result<ClusterConnection> ToConnection(this IConnectionInput input, IKubeconfigReader kubeconfigs)
    {
        if (!string.IsNullOrWhiteSpace(input.Kubeconfig))
        {
            var (connection, error, field) = kubeconfigs.Read(input.Kubeconfig, string.IsNullOrWhiteSpace(input.Context) ? null : input.Context);
            return connection ?? (Result<ClusterConnection>)Failure.Invalid(error!, field ?? "kubeconfig");
        }
        return new ClusterConnection(input.Server!.TrimEnd('/'), Blank(input.CertificateAuthorityData), Blank(input.Token),
            Blank(input.ClientCertificateData), Blank(input.ClientKeyData));
    }

    /// <summary>A failed probe becomes a 400 on the field the admin should change.</summary>
    public static Failure ToFailure(this ConnectionFailure failure) => failure.Problem switch
    {
        ConnectionProblem.Unreachable => Failure.Invalid(failure.Message, "server"),
        ConnectionProblem.TlsMismatch => Failure.Invalid(failure.Message, "certificateAuthorityData"),
        _ => Failure.Invalid(failure.Message, "credentials"),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
