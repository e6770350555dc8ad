import { AddressInfo } from "net";
import { ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A real SMTP server on a free loopback port that keeps every mail it receives, parsed. */
export class MailServer {
  readonly mails: ParsedMail[] = [];
  /** While true, every mail is refused (451, a temporary failure), as by a mail server that is down or overloaded. */
  refusing = false;
  /** How many mails were refused so far. */
  refused = 0;
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onMailFrom: (_address, _session, callback) => {
        if (!this.refusing) return callback();
        this.refused++;
        const error = new Error("mail server unavailable") as Error & { responseCode: number };
        error.responseCode = 451;
        callback(error);
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.mails.push(mail);
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
  }

  static async start(): Promise<MailServer> {
    const mail = new MailServer();
    await new Promise<void>((resolve, reject) => {
      mail.server.once("error", reject);
      mail.server.listen(0, "127.0.0.1", () => resolve());
    });
    return mail;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
