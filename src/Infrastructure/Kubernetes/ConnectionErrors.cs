using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Cocktail.Application.Clusters.Connecting;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly.CircuitBreaker;
using Polly.Timeout;

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
                case RefusedAddressException refused:
                    return new(ConnectionProblem.Unreachable, $"Cocktail does not connect to {server}: {refused.Message}");
                case NotKubernetesException foreign:
                    return new(ConnectionProblem.Unreachable,
                        $"The server at {server} did not answer as a Kubernetes API server (HTTP {(int)foreign.Status}, {foreign.MediaType ?? "no content type"}).");
                case AuthenticationException:
                    return new(ConnectionProblem.TlsMismatch, $"The TLS handshake with {server} failed: its certificate is not signed by the given CA (or does not name this address).");
                case SocketException socket:
                    return new(ConnectionProblem.Unreachable, $"Cannot reach {server}: {Plain(socket.SocketErrorCode)}.");
                case BrokenCircuitException broken:
                    return new(ConnectionProblem.Unreachable, $"{server}: {ClusterCalls.CircuitOpen(broken)}");
                case TaskCanceledException or TimeoutException or TimeoutRejectedException:
                    return new(ConnectionProblem.Unreachable, $"{server} did not answer in time.");
            }
        }
        return exception.GetBaseException() is System.Text.Json.JsonException
            ? new(ConnectionProblem.Unreachable, $"The server at {server} did not answer as a Kubernetes API server (its answer is not a Kubernetes object).")
            : new(ConnectionProblem.Unreachable, $"Cannot reach {server}: {exception.GetBaseException().Message}");
    }

    /// <summary>
    /// The API server's own message from its Status answer. Any other body is not repeated: the server may not be a
    /// Kubernetes API server at all, and Cocktail must not become a way to read what other hosts on its network say.
    /// </summary>
    private static string StatusMessage(HttpOperationException e)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            if (status is { Kind: "Status" } && !string.IsNullOrWhiteSpace(status.Message)) return Truncate(status.Message, 400);
        }
        catch (Exception json) when (json is System.Text.Json.JsonException or ArgumentException or NotSupportedException) { }
        return "the answer is not a Kubernetes Status.";
    }

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
