import { Aedes } from "aedes";
import { AddressInfo, createServer, Server, Socket } from "net";
import mqtt, { MqttClient } from "mqtt";

/** A real MQTT broker (aedes) on a free loopback port. */
export class MqttBroker {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<MqttBroker> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new MqttBroker(broker, server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A real MQTT client subscribed to `topic`; each message lands in `received`. */
  async subscriber(topic: string): Promise<{ client: MqttClient; received: { topic: string; payload: string }[] }> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.port}`, { reconnectPeriod: 0 });
    const received: { topic: string; payload: string }[] = [];
    client.on("message", (t, payload) => received.push({ topic: t, payload: payload.toString("utf8") }));
    await client.subscribeAsync(topic, { qos: 1 });
    return { client, received };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
