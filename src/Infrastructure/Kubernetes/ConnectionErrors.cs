using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Cocktail.Application.Clusters.Connecting;
using k8s.Autorest;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>Says in plain words why a cluster could not be used, from what the HTTP stack threw.</summary>
public static class ConnectionErrors
{
    public static ConnectionFailure Describe(Exception exception, string server)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized }:
                    return new(ConnectionProblem.Unauthorized, $"{server} refused the credentials (401 Unauthorized): the token or certificate is wrong, expired or revoked.");
                case HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } forbidden:
                    return new(ConnectionProblem.Forbidden, $"The credentials are accepted but may not read nodes (403 Forbidden): {StatusMessage(forbidden)}");
                case HttpOperationException other:
                    return new(ConnectionProblem.Invalid, $"{server} answered {(int)other.Response.StatusCode} {other.Response.ReasonPhrase}: {StatusMessage(other)}");
                case AuthenticationException:
                    return new(ConnectionProblem.TlsMismatch, $"The TLS handshake with {server} failed: its certificate is not signed by the given CA (or does not name this address).");
                case SocketException socket:
                    return new(ConnectionProblem.Unreachable, $"Cannot reach {server}: {Plain(socket.SocketErrorCode)}.");
                case TaskCanceledException or TimeoutException:
                    return new(ConnectionProblem.Unreachable, $"{server} did not answer in time.");
            }
        }
        return new(ConnectionProblem.Unreachable, $"Cannot reach {server}: {exception.GetBaseException().Message}");
    }

    private static string StatusMessage(HttpOperationException e) =>
        string.IsNullOrWhiteSpace(e.Response.Content) ? e.Message : Truncate(e.Response.Content, 400);

    private static string Plain(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "the host name does not resolve",
        SocketError.TimedOut => "the connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the host",
        _ => error.ToString(),
    };

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "…";
}
