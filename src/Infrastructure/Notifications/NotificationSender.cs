using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cocktail.Application.Notifications;
using Cocktail.Application.Notifications.Delivering;
using Cocktail.Domain.Monitoring;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cocktail.Infrastructure.Notifications;

/// <summary>
/// Sends notifications over the named HttpClient <see cref="HttpClientName"/> (its own timeout, no request logging:
/// a Slack or Teams URL carries its token in the path) or over SMTP with MailKit. Errors are described in words that
/// never include the URL, the key or the password.
/// </summary>
public sealed class NotificationSender(IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider clock) : INotificationSender
{
    public const string HttpClientName = "notifications";
    private const int MaxErrorBody = 300;

    public Task<DeliveryOutcome> SendAsync(NotificationChannelView channel, ChannelSecrets secrets, OutgoingNotification notification, CancellationToken ct) =>
        channel.Type switch
        {
            NotificationChannelType.Email => SendMailAsync(channel, secrets, notification, ct),
            NotificationChannelType.Slack => PostAsync(secrets, NotificationBodies.Slack(notification), notification, signed: false, ct),
            NotificationChannelType.Teams => PostAsync(secrets, NotificationBodies.Teams(notification), notification, signed: false, ct),
            _ => PostAsync(secrets, NotificationBodies.Webhook(notification), notification, signed: true, ct),
        };

    private async Task<DeliveryOutcome> PostAsync(ChannelSecrets secrets, string body, OutgoingNotification notification, bool signed, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (!ChannelRules.IsWebUrl(secrets.Url)) return new DeliveryOutcome(false, null, "The channel has no http or https URL.", TimeSpan.Zero);
        using var request = new HttpRequestMessage(HttpMethod.Post, secrets.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(NotificationBodies.DeliveryHeader, notification.DeliveryId.ToString());
        if (signed)
        {
            request.Headers.TryAddWithoutValidation(NotificationBodies.TimestampHeader, notification.SentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (secrets.SigningKey is { } key) request.Headers.TryAddWithoutValidation(NotificationBodies.SignatureHeader, NotificationBodies.Signature(key, body));
        }
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return DeliveryOutcome.Ok(status, Elapsed(started));
            var transient = status >= 500 || status == 429 || status == 408;
            var said = await ExcerptAsync(response, secrets, ct);
            return new DeliveryOutcome(false, status, $"{status} {response.ReasonPhrase}{(said.Length == 0 ? "" : ": " + said)}", Elapsed(started), transient,
                RetryAfter(response));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(false, null, $"No answer within {options.Value.Timeout.TotalSeconds:0.#} s.", Elapsed(started), Transient: true);
        }
        catch (HttpRequestException e) when (e.InnerException is Kubernetes.RefusedAddressException)
        {
            return new DeliveryOutcome(false, null, $"Refused: the URL's host is in an address range Cocktail does not connect to ({Kubernetes.ClusterAddressGuard.Setting}).",
                Elapsed(started));
        }
        catch (HttpRequestException e)
        {
            // The message names the host and port at most, never the path; the socket error says why.
            var why = e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.HttpRequestError.ToString();
            return new DeliveryOutcome(false, null, $"Could not connect ({why}).", Elapsed(started), Transient: true);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header) return null;
        if (header.Delta is { } delta) return delta;
        return header.Date is { } date ? date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }

    /// <summary>The start of what the receiver said (Slack says "invalid_payload"), with any secret cut out.</summary>
    private static async Task<string> ExcerptAsync(HttpResponseMessage response, ChannelSecrets secrets, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (text.Length > MaxErrorBody) text = text[..MaxErrorBody] + "…";
            foreach (var secret in new[] { secrets.Url, secrets.SigningKey }.Where(s => !string.IsNullOrEmpty(s)))
                text = text.Replace(secret!, "***", StringComparison.Ordinal);
            return string.Concat(text.Where(c => !char.IsControl(c))).Trim();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return "";
        }
    }

    private async Task<DeliveryOutcome> SendMailAsync(NotificationChannelView channel, ChannelSecrets secrets, OutgoingNotification notification, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (channel.Smtp is not { } smtp) return new DeliveryOutcome(false, null, "The channel has no SMTP server.", TimeSpan.Zero);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var to in smtp.To) message.To.Add(MailboxAddress.Parse(to));
        message.Subject = NotificationBodies.EmailSubject(notification);
        message.Headers.Add(NotificationBodies.DeliveryHeader, notification.DeliveryId.ToString());
        message.Body = new TextPart("plain") { Text = NotificationBodies.EmailText(notification) };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        using var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        try
        {
            var tls = smtp.TlsMode switch
            {
                SmtpTlsMode.Tls => SecureSocketOptions.SslOnConnect,
                SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(smtp.Host, smtp.Port, tls, timeout.Token);
            if (smtp.UserName is { } user) await client.AuthenticateAsync(user, secrets.SmtpPassword ?? "", timeout.Token);
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return DeliveryOutcome.Ok(250, Elapsed(started));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(false, null, $"The SMTP server did not answer within {options.Value.Timeout.TotalSeconds:0.#} s.", Elapsed(started), Transient: true);
        }
        catch (SmtpCommandException e)
        {
            // 4xx SMTP replies are temporary by definition (RFC 5321); 5xx are final.
            var code = (int)e.StatusCode;
            return new DeliveryOutcome(false, code, $"SMTP {code}: {Cut(e.Message)}", Elapsed(started), Transient: code is >= 400 and < 500);
        }
        catch (AuthenticationException)
        {
            return new DeliveryOutcome(false, null, "The SMTP server refused the user name or password.", Elapsed(started));
        }
        catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or SslHandshakeException)
        {
            return new DeliveryOutcome(false, null, $"Could not talk to the SMTP server ({e.GetType().Name}).", Elapsed(started), Transient: true);
        }
    }

    private static string Cut(string text) => text.Length <= MaxErrorBody ? text : text[..MaxErrorBody] + "…";

    private static TimeSpan Elapsed(long started) => Stopwatch.GetElapsedTime(started);
}
